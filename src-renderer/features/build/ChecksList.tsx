import { formatDuration } from '../../components/format';
import { useNow } from '../../components/useNow';

import type { CheckView } from '../../stores/run';
import { SpecLine } from './SpecLine';

/** A check as the lists show it (the same shape the run store keeps). */
export type CheckItem = CheckView;

/** The element id of a check's row, so a failure banner can link to it. */
export function checkAnchor(c: Pick<CheckItem, 'name' | 'phase'>): string {
  return `check-${(c.phase ? `${c.phase}-` : '') + c.name}`.replace(/[^\w-]+/g, '-');
}

/**
 * The checks of a test: waiting ones count up live and say what they last saw (the engine's
 * message while waiting), finished ones show their verdict; each names its line in appliance.yaml
 * (a link to it in the desktop app).
 */
export function ChecksList({
  checks,
  live,
  anchors = false,
  dir,
  specFile,
}: {
  checks: readonly CheckItem[];
  live: boolean;
  anchors?: boolean;
  /** The appliance folder: in the desktop app each check's line opens its appliance.yaml there. */
  dir?: string | null;
  specFile?: string;
}) {
  const now = useNow(200, live && checks.some((c) => c.status === 'waiting'));
  return (
    <ul className="checks" role="list" aria-label="Checks">
      {checks.map((c) => {
        const ms = c.status === 'waiting' && live ? c.durationMs + Math.max(0, now - c.seenAt) : c.durationMs;
        return (
          <li key={`${c.phase ?? ''}/${c.name}`} id={anchors ? checkAnchor(c) : undefined} tabIndex={anchors ? -1 : undefined} className={`check check-${c.status}`}>
            <span className={`status status-${c.status}`}>{c.status}</span>
            <span className="check-name mono">{c.name}</span>
            {c.phase ? <span className="badge small">{c.phase}</span> : null}
            <span className="check-duration mono">{formatDuration(ms)}</span>
            {c.line ? <SpecLine dir={dir} line={c.line} specFile={specFile} /> : null}
            {c.message ? <span className={c.status === 'waiting' ? 'check-message check-last-seen' : 'check-message'}>{c.status === 'waiting' ? `last seen: ${c.message}` : c.message}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}
