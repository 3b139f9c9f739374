import { ErrorNotice } from '../../components/ErrorNotice';
import { formatDuration, formatTime } from '../../components/format';
import { useCommand } from '../../components/useCommand';
import { label, STATE_TEXT, type CellView } from './cells';
import { ConsoleTabs } from './ConsoleTabs';
import { PhaseChecks } from './PhaseChecks';
import type { UpgradeJob } from './upgrades-store';

const METHOD_TEXT = { swap: 'swap: the new OS disk boots with the old data disk', package: 'package: the old build installs the full update package' } as const;

function StoredRun({ runId }: { runId: number }) {
  const run = useCommand('upgrades.run.get', { runId });
  const r = run.value && run.value.runId === runId ? run.value : null;
  if (run.status === 'error' && !r) return <ErrorNotice title={`Could not open upgrade run #${runId}`}>{run.error.message}</ErrorNotice>;
  if (!r) return <p className="muted">Loading upgrade run #{runId}…</p>;
  const took = r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : null;
  const checks = r.checks;
  return (
    <>
      <p className="muted small">
        Run #{r.runId} · {formatTime(r.startedAt)} · took {formatDuration(took)}
        {r.method ? ` · ${METHOD_TEXT[r.method]}` : ''}
      </p>
      <div className="upgrade-details-body">
        <section aria-label="Checks by phase">
          <h3 className="panel-title">Checks by phase</h3>
          <PhaseChecks checks={checks} />
        </section>
        <section aria-label="Consoles" className="upgrade-consoles">
          <h3 className="panel-title">Serial consoles</h3>
          <ConsoleTabs logs={r.consoleLogs} truncated={r.consoleTruncated} />
        </section>
      </div>
    </>
  );
}

/** One cell opened: the stored run of that pair, the live one, or how to start it. */
export function UpgradeRunDetails({ cell, job, busy, onRun, onClose }: { cell: CellView; job: UpgradeJob | null; busy: boolean; onRun(): void; onClose(): void }) {
  const pair = `${label(cell.from)} → ${label(cell.to)}`;
  const running = cell.state === 'running' && job;
  return (
    <section className="panel upgrade-details" aria-label={`Upgrade ${pair}`}>
      <header className="details-header">
        <div className="details-title">
          <h2>
            Upgrade <span className="badge">{cell.from.version}</span> <span className="muted mono">#{cell.from.id}</span> <span aria-hidden="true">→</span>
            <span className="sr-only">to</span> <span className="badge">{cell.to.version}</span> <span className="muted mono">#{cell.to.id}</span>
          </h2>
          <span className={`status status-${cell.state}`}>{STATE_TEXT[cell.state]}</span>
        </div>
        <div className="details-actions">
          {cell.runnable ? (
            <button type="button" className="button" onClick={onRun} disabled={busy}>
              {cell.state === 'not-run' ? 'Run' : 'Run again'}
            </button>
          ) : null}
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      </header>
      {running ? (
        <>
          <p className="muted small">Running now: {job.message || job.stage}</p>
          <PhaseChecks checks={job.checks} live />
        </>
      ) : cell.state === 'queued' ? (
        <p className="muted">Queued: it runs after the upgrades before it in this job.</p>
      ) : cell.runId !== undefined ? (
        <StoredRun key={cell.runId} runId={cell.runId} />
      ) : (
        <p className="muted">
          Not run yet. Run boots {label(cell.from)} with a fresh data disk, runs its checks and the seed commands, then upgrades it to {label(cell.to)} and checks that the data
          survived. Under software emulation (TCG) that takes a minute or two.
        </p>
      )}
    </section>
  );
}
