import { formatDuration } from '../../components/format';
import { useNow } from '../../components/useNow';

import type { CheckView } from '../../stores/run';

/** A check as the lists show it (the same shape the run store keeps). */
export type CheckItem = CheckView;

/** The checks of a test: waiting ones count up live, finished ones show their verdict. */
export function ChecksList({ checks, live }: { checks: readonly CheckItem[]; live: boolean }) {
  const now = useNow(200, live && checks.some((c) => c.status === 'waiting'));
  return (
    <ul className="checks" role="list" aria-label="Checks">
      {checks.map((c) => {
        const ms = c.status === 'waiting' && live ? c.durationMs + Math.max(0, now - c.seenAt) : c.durationMs;
        return (
          <li key={`${c.phase ?? ''}/${c.name}`} className={`check check-${c.status}`}>
            <span className={`status status-${c.status}`}>{c.status}</span>
            <span className="check-name mono">{c.name}</span>
            {c.phase ? <span className="badge small">{c.phase}</span> : null}
            <span className="check-duration mono">{formatDuration(ms)}</span>
            {c.message ? <span className="check-message">{c.message}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}
