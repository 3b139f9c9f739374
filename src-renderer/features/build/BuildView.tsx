import type { ApplianceSummary } from '../../../src-main/api/contract';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatDuration } from '../../components/format';
import { LogView } from '../../components/LogView';
import { LogBuffer } from '../../lib/log-buffer';
import { useNow } from '../../components/useNow';
import { useNavigation } from '../../stores/navigation';
import { useRun } from '../../stores/run';
import { useBuildsSelection } from '../../stores/builds-selection';
import { ChecksList } from './ChecksList';
import { StageTimeline } from './StageTimeline';

// Shown when the run in the store belongs to another appliance.
const NO_LINES = new LogBuffer();

const STATUS_TEXT = { idle: 'Not started', starting: 'Starting…', running: 'Running', succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled' } as const;

/** Build, Test and Cancel for the open appliance; starting one shows the Build view. */
export function BuildActions({ summary, onStart }: { summary: ApplianceSummary; onStart(): void }) {
  const run = useRun();
  const busy = run.status === 'starting' || run.status === 'running';
  const name = summary.name ?? summary.dir;
  const start = (kind: 'build' | 'test') => {
    onStart();
    void run.start(kind, summary.dir, name);
  };
  return (
    <>
      <button type="button" className="button primary" disabled={busy || !summary.valid} onClick={() => start('build')}>
        Build
      </button>
      <button type="button" className="button" disabled={busy || !summary.valid} onClick={() => start('test')}>
        Test
      </button>
      <button type="button" className="button" disabled={!busy || !run.jobId} onClick={() => void run.cancel()}>
        Cancel
      </button>
    </>
  );
}

/** Build and Test for the open appliance: stage timeline, progress, live log and checks. */
export function BuildView({ summary }: { summary: ApplianceSummary }) {
  const run = useRun();
  const go = useNavigation((s) => s.go);
  const select = useBuildsSelection((s) => s.select);
  const busy = run.status === 'starting' || run.status === 'running';
  const forThis = run.dir === summary.dir;
  const live = busy && forThis;
  const now = useNow(500, live);

  // The job's own figure, the same one the status bar shows; null while it cannot be known.
  const fraction = !forThis || run.status === 'idle' ? 0 : run.fraction;
  const pct = fraction === null ? null : Math.round(fraction * 100);
  const elapsed = forThis && run.startedAt ? (run.finishedAt ?? now) - run.startedAt : null;
  const screenshot = run.detail?.artifacts.find((a) => a.kind === 'screenshot');

  return (
    <div className="buildview">
      <div className="buildview-bar">
        <div className="buildview-progress">
          <span className={`run-status run-${forThis ? run.status : 'idle'}`} role="status">
            {forThis ? `${run.kind === 'test' ? 'Test' : 'Build'}: ${STATUS_TEXT[run.status]}` : STATUS_TEXT.idle}
            {live && run.stage ? <span className="muted"> — {run.stage}</span> : null}
          </span>
          {pct === null ? (
            <progress aria-label={`${forThis && run.kind === 'test' ? 'Test' : 'Build'} progress`} />
          ) : (
            <progress max={100} value={pct} aria-label={`${forThis && run.kind === 'test' ? 'Test' : 'Build'} progress`} />
          )}
          <span className="mono small">{pct === null ? '' : `${pct}%`}</span>
          <span className="mono small muted">{elapsed === null ? '' : formatDuration(elapsed)}</span>
          {forThis && run.buildId !== null && !busy ? (
            <button
              type="button"
              className="button small"
              onClick={() => {
                select(run.buildId);
                go('builds');
              }}
            >
              Open build #{run.buildId}
            </button>
          ) : null}
        </div>
      </div>

      {forThis && run.error ? <ErrorNotice title={run.status === 'cancelled' ? 'Cancelled' : `${run.kind === 'test' ? 'Test' : 'Build'} failed`}>{run.error}</ErrorNotice> : null}

      <div className="buildview-body">
        <aside className="buildview-side">
          <h3 className="panel-title">Stages</h3>
          <StageTimeline stages={forThis ? run.stages : []} live={live} />
          {forThis && (run.kind === 'test' || run.checks.length > 0) ? (
            <>
              <h3 className="panel-title checks-title">Checks</h3>
              {run.checks.length === 0 ? <p className="muted small">Checks start once the VM has booted.</p> : null}
              <ChecksList checks={run.checks} live={live} />
              {screenshot ? <p className="muted small mono">Screenshot: {screenshot.path}</p> : null}
            </>
          ) : null}
        </aside>
        <div className="buildview-log">
          <LogView buffer={forThis ? run.log : NO_LINES} version={forThis ? run.logVersion : 0} label="Build log" empty={forThis ? 'Waiting for output…' : 'Press Build to start; its log streams here.'} />
        </div>
      </div>
    </div>
  );
}
