import type { BuildSummary } from '../../../src-main/api/contract';
import { label, type Matrix } from './cells';
import { useUpgrades, type UpgradeJob } from './upgrades-store';

const STATUS_TEXT = { running: 'Running', succeeded: 'Passed', failed: 'Failed', cancelled: 'Cancelled' } as const;

function find(m: Matrix, id: number | null): BuildSummary | undefined {
  return id === null ? undefined : [...m.rows, ...m.candidates].find((b) => b.id === id);
}

/** "build #1 1.0.0: checks" → "checks": the pair is already named before it. */
function stepText(job: UpgradeJob): string {
  const msg = job.message.replace(/^build #\d+ \S+: /, '');
  return msg ? `${job.stage}: ${msg}` : job.stage;
}

/** The upgrade job started here: which pair it is on, how far, and the latest check. */
export function UpgradeProgress({ job, matrix }: { job: UpgradeJob; matrix: Matrix }) {
  const cancel = useUpgrades((s) => s.cancel);
  const to = find(matrix, job.toBuildId);
  const from = find(matrix, job.currentFrom);
  const total = job.fromBuildIds.length;
  const running = job.status === 'running';
  // The job's own figure (the engine spreads the pairs over it), so this bar and the status bar agree.
  const pct = running ? (job.fraction === null ? null : Math.round(job.fraction * 100)) : job.status === 'succeeded' ? 100 : job.fraction === null ? null : Math.round(job.fraction * 100);
  const toText = to ? label(to) : `#${job.toBuildId}`;
  const last = [...job.checks].reverse().find((c) => c.status !== 'waiting');
  return (
    <section className="upgrade-progress" aria-label="Upgrade progress">
      <div className="buildview-progress">
        <span className={`run-status run-${job.status}`} role="status">
          Upgrades to {toText}: {STATUS_TEXT[job.status]}
          {running ? (
            <span className="muted">
              {' '}
              — {from ? `${label(from)} (${Math.min(job.done + 1, total)} of ${total}), ${stepText(job)}` : 'starting'}
            </span>
          ) : null}
        </span>
        {pct === null ? <progress aria-label="Upgrade progress" /> : <progress max={100} value={pct} aria-label="Upgrade progress" />}
        <span className="mono small">{pct === null ? '' : `${pct}%`}</span>
        {running ? (
          <button type="button" className="button small" onClick={() => void cancel()}>
            Cancel
          </button>
        ) : null}
      </div>
      {running && last ? (
        <p className="small muted upgrade-last-check" aria-live="polite">
          Last check: <span className={`status status-${last.status}`}>{last.status}</span> <span className="mono">{last.name}</span>
          {last.phase ? <span className="badge small">{last.phase}</span> : null}
        </p>
      ) : null}
      {job.error && !running ? <p className="cell-error">{job.error}</p> : null}
    </section>
  );
}
