import { formatDuration } from '../../components/format';

/** The contract's check shape (CheckState), as the lists show it. */
export interface PhaseCheck {
  name: string;
  kind: string;
  status: 'waiting' | 'passed' | 'failed';
  durationMs: number;
  message?: string;
  phase?: string;
}

const PHASES: ReadonlyArray<{ id: string; title: string; hint: string }> = [
  { id: 'old', title: 'Old', hint: 'the old build boots on a fresh data disk and passes its own checks' },
  { id: 'seed', title: 'Seed', hint: 'data written into the old build before the upgrade' },
  { id: 'upgraded', title: 'Upgraded', hint: 'the new build on the old data disk, with its checks' },
  { id: 'verify', title: 'Verify', hint: 'the seeded data survived the upgrade' },
  { id: 'rolledback', title: 'Rolled back', hint: 'the update failed on the appliance; it went back to the old build by itself, whose checks ran again' },
];

/** Check results grouped by the phase of the upgrade they ran in, in the order the phases run. */
export function PhaseChecks({ checks, live = false }: { checks: readonly PhaseCheck[]; live?: boolean }) {
  const known = new Set(PHASES.map((p) => p.id));
  // Rolled back is a phase only some runs have: shown when one of its checks is there.
  const phases = PHASES.filter((p) => p.id !== 'rolledback' || checks.some((c) => c.phase === 'rolledback'));
  const groups = [...phases, ...[...new Set(checks.map((c) => c.phase ?? 'other'))].filter((p) => !known.has(p)).map((id) => ({ id, title: id, hint: '' }))];
  return (
    <div className="phases">
      {groups.map((g) => {
        const mine = checks.filter((c) => (c.phase ?? 'other') === g.id);
        const failed = mine.filter((c) => c.status === 'failed').length;
        const verdict = mine.length === 0 ? 'not-run' : failed ? 'failed' : mine.some((c) => c.status === 'waiting') ? 'waiting' : 'passed';
        return (
          <section key={g.id} className="phase" aria-label={`Phase ${g.title}`}>
            <h4 className="phase-title">
              <span className={`status status-${verdict}`}>{g.title}</span>
              <span className="muted small phase-count">{mine.length === 0 ? (live ? 'waiting' : 'did not run') : failed ? `${failed} of ${mine.length} failed` : `${mine.length} passed`}</span>
            </h4>
            {g.hint ? <p className="muted small phase-hint">{g.hint}</p> : null}
            {mine.length ? (
              <ul className="checks" aria-label={`${g.title} checks`}>
                {mine.map((c, i) => (
                  <li key={i} className={`check check-${c.status}`}>
                    <span className={`status status-${c.status}`}>{c.status}</span>
                    <span className="check-name mono">{c.name}</span>
                    <span className="check-duration mono">{formatDuration(c.durationMs)}</span>
                    {c.message ? <span className="check-message">{c.message}</span> : null}
                  </li>
                ))}
              </ul>
            ) : null}
          </section>
        );
      })}
    </div>
  );
}
