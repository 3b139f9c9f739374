import type { ApplianceSummary } from '../../../src-main/api/contract';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatDuration } from '../../components/format';
import { useNavigation } from '../../stores/navigation';
import { useRun } from '../../stores/run';
import { useVmsSelection } from '../../stores/vms-selection';
import { ChecksList } from '../build/ChecksList';
import { useLive } from './live-store';

const STATUS_TEXT = { off: 'Off', starting: 'Starting…', running: 'Watching for changes', stopping: 'Stopping…' } as const;

/** The Live switch's view: the development VM, each cycle's synced files, restarts and checks. */
export function LivePanel({ summary }: { summary: ApplianceSummary }) {
  const live = useLive();
  const run = useRun();
  const go = useNavigation((s) => s.go);
  const openTerminal = useVmsSelection((s) => s.openTerminal);
  const mine = live.dir === summary.dir;
  const latest = mine ? live.cycles[0] : undefined;
  const busyTest = run.status === 'starting' || run.status === 'running';
  return (
    <section className="panel live-panel" aria-label="Live">
      <div className="buildview-progress">
        <span className={`run-status run-${mine && live.status !== 'off' ? 'running' : 'idle'}`} role="status">
          Live: {mine ? STATUS_TEXT[live.status] : STATUS_TEXT.off}
        </span>
        {mine && live.vmId ? (
          <>
            {live.forwards.map((f) => (
              <a key={f.guest} className="mono small" href={`http://127.0.0.1:${f.host}/`} target="_blank" rel="noreferrer">
                127.0.0.1:{f.host} → guest {f.guest}
              </a>
            ))}
            <button
              type="button"
              className="button small"
              onClick={() => {
                openTerminal(live.vmId);
                go('vms');
              }}
            >
              Terminal
            </button>
          </>
        ) : null}
        {latest?.diverged ? (
          <span className="badge warn" title="Files were synced into this VM: it no longer matches a clean build until a full build and test of the same files passes.">
            diverged from a clean build
          </span>
        ) : null}
        <button type="button" className="button small" disabled={busyTest} title="A real build and a fresh boot, then the checks" onClick={() => void run.start('test', summary.dir, summary.name ?? summary.dir)}>
          Full test
        </button>
      </div>
      {mine && live.error ? <ErrorNotice title="The live loop stopped">{live.error}</ErrorNotice> : null}
      {!mine || live.status === 'off' ? (
        <p className="muted">Turn on Live to keep one VM up: every save is copied into it, the services using the changed files restart and the checks run again.</p>
      ) : null}
      {latest ? (
        <div className="live-cycle">
          <h3 className="panel-title">
            Last change: <span className={`status status-${latest.status === 'invalid' ? 'failed' : latest.status}`}>{latest.status}</span>{' '}
            <span className="mono small">in {formatDuration(latest.ms)}</span>
          </h3>
          {latest.rebuilt ? <p className="small">Rebuilt and rebooted: {latest.rebuilt}</p> : null}
          {latest.changed.length ? (
            <p className="small">
              Synced <span className="mono">{latest.changed.join(', ')}</span>
              {latest.restarted.length ? (
                <>
                  ; restarted <span className="mono">{latest.restarted.join(', ')}</span>
                </>
              ) : null}
            </p>
          ) : null}
          {latest.problems?.length ? (
            <ErrorNotice title="appliance.yaml has errors; the VM keeps the last good state">
              {latest.problems.map((p) => `line ${p.line}: ${p.message}`).join('\n')}
            </ErrorNotice>
          ) : null}
          <ChecksList checks={latest.checks.map((c) => ({ ...c, seenAt: latest.at }))} live={false} dir={summary.dir} specFile={summary.specFile} />
        </div>
      ) : null}
    </section>
  );
}
