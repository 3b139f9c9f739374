import { useEffect, useRef } from 'react';
import type { ApplianceSummary } from '../../../src-main/api/contract';
import { invoke } from '../../api/client';
import { VmScreen } from '../../components/VmScreen';
import { useCommand } from '../../components/useCommand';
import { useState } from 'react';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatDuration } from '../../components/format';
import { LogView } from '../../components/LogView';
import { LogBuffer } from '../../lib/log-buffer';
import { useNow } from '../../components/useNow';
import { useNavigation } from '../../stores/navigation';
import { useRun } from '../../stores/run';
import { useBuildsSelection } from '../../stores/builds-selection';
import { checkAnchor, ChecksList } from './ChecksList';
import { SpecLine } from './SpecLine';
import { StageTimeline } from './StageTimeline';

// Shown when the run in the store belongs to another appliance.
const NO_LINES = new LogBuffer();

const STATUS_TEXT = { idle: 'Not started', starting: 'Starting…', running: 'Running', succeeded: 'Succeeded', failed: 'Failed', cancelled: 'Cancelled' } as const;

/** Keyboard shortcuts of the run buttons, shown in their tooltips (Alt+digits switch screens). */
export const RUN_KEYS = { build: 'Alt+B', test: 'Alt+T', cancel: 'Alt+C' } as const;

/**
 * Build, Test and Cancel for the open appliance; starting one shows the Build view. They are
 * aria-disabled rather than disabled while they cannot act, so focus stays on the button that
 * was pressed instead of falling back to the page.
 */
export function BuildActions({ summary, onStart }: { summary: ApplianceSummary; onStart(): void }) {
  const run = useRun();
  const busy = run.status === 'starting' || run.status === 'running';
  const name = summary.name ?? summary.dir;
  const profiles = useCommand('hardware.list', {});
  // '' is the quick test boot (the build's kernel started directly); a profile boots the exported disks on that hardware.
  const [hardware, setHardware] = useState('');
  const canStart = !busy && summary.valid;
  const canCancel = busy && Boolean(run.jobId);
  const start = (kind: 'build' | 'test') => {
    if (!canStart) return;
    onStart();
    void run.start(kind, summary.dir, name, kind === 'test' ? hardware || undefined : undefined);
  };
  const cancel = () => {
    if (canCancel) void run.cancel();
  };
  const actions = useRef({ start, cancel });
  actions.current = { start, cancel };
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
      const k = e.code === 'KeyB' ? 'build' : e.code === 'KeyT' ? 'test' : e.code === 'KeyC' ? 'cancel' : null;
      if (!k) return;
      e.preventDefault();
      if (k === 'cancel') actions.current.cancel();
      else actions.current.start(k);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <>
      <button
        type="button"
        className="button primary"
        aria-disabled={!canStart}
        aria-keyshortcuts={RUN_KEYS.build}
        title={`Build the appliance (${RUN_KEYS.build})`}
        onClick={() => start('build')}
      >
        Build
      </button>
      <button
        type="button"
        className="button"
        aria-disabled={!canStart}
        aria-keyshortcuts={RUN_KEYS.test}
        title={`Build if needed, boot it and run its checks (${RUN_KEYS.test})`}
        onClick={() => start('test')}
      >
        Test
      </button>
      <select aria-label="Test on hardware" value={hardware} disabled={busy} onChange={(e) => setHardware(e.target.value)}>
        <option value="">Test boot (direct)</option>
        {(profiles.value ?? []).map((p) => (
          <option key={p.name} value={p.name} title={p.title}>
            {p.name}
          </option>
        ))}
      </select>
      <button type="button" className="button" aria-disabled={!canCancel} aria-keyshortcuts={RUN_KEYS.cancel} title={`Cancel the run (${RUN_KEYS.cancel})`} onClick={cancel}>
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
  // A finished test of this appliance: its VM's screen at the end is stored with the run.
  const testedBuild = forThis && run.kind === 'test' && !busy && run.finishedAt !== null ? run.buildId : null;
  const failedChecks = forThis ? run.checks.filter((c) => c.status === 'failed') : [];

  return (
    <div className="buildview">
      <div className="buildview-bar">
        <div className="buildview-progress">
          <span className={`run-status run-${forThis ? run.status : 'idle'}`} role="status">
            {!forThis
              ? STATUS_TEXT.idle
              : run.unchangedSince !== null
                ? `Build: No changes since #${run.unchangedSince}`
                : `${run.kind === 'test' ? 'Test' : 'Build'}: ${STATUS_TEXT[run.status]}`}
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

      {forThis && run.unchangedSince !== null ? (
        // Reusing is the good outcome of a Build with nothing to do; a rebuild stays one click away.
        <p className="notice notice-quiet notice-actions">
          <span>
            Nothing in this folder changed since build #{run.unchangedSince}, so it was reused instead of adding an identical build to the history.
          </span>
          <button
            type="button"
            className="button small"
            title="Make a new build of the same inputs (unchanged stages still come from the cache)"
            onClick={() => void run.start('build', summary.dir, summary.name ?? summary.dir, undefined, { rebuild: true })}
          >
            Rebuild anyway
          </button>
        </p>
      ) : forThis && run.status === 'cancelled' ? (
        // Cancelling is what the person asked for: a quiet note, not a failure.
        <p className="notice notice-quiet" role="status">
          Cancelled. Nothing from this {run.kind === 'test' ? 'test' : 'build'} was kept as a result.
        </p>
      ) : forThis && run.error ? (
        <ErrorNotice title={`${run.kind === 'test' ? 'Test' : 'Build'} failed`}>
          {run.error}
          {failedChecks.length > 0 ? (
            <ul className="failed-checks" aria-label="Failures">
              {failedChecks.map((c) => (
                <li key={checkAnchor(c)}>
                  <a
                    href={`#${checkAnchor(c)}`}
                    onClick={(e) => {
                      // Scroll the check into view inside its pane and move focus there.
                      e.preventDefault();
                      const el = document.getElementById(checkAnchor(c));
                      el?.scrollIntoView({ block: 'nearest' });
                      el?.focus();
                    }}
                  >
                    {c.name}
                  </a>
                  {c.line ? (
                    <>
                      {' '}
                      <SpecLine dir={summary.dir} line={c.line} specFile={summary.specFile} className="muted mono small" />
                    </>
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
        </ErrorNotice>
      ) : null}

      <div className="buildview-body">
        <aside className="buildview-side">
          <h2 className="panel-title">Stages</h2>
          <StageTimeline stages={forThis ? run.stages : []} live={live} />
          {forThis && (run.kind === 'test' || run.checks.length > 0) ? (
            <>
              <h2 className="panel-title checks-title">Checks</h2>
              {run.checks.length === 0 ? <p className="muted small">Checks start once the VM has booted.</p> : null}
              <ChecksList checks={run.checks} live={live} anchors={forThis} dir={summary.dir} specFile={summary.specFile} />
              {testedBuild !== null ? (
                <VmScreen load={() => invoke('builds.screenshot', { id: testedBuild })} stamp={`${testedBuild}:${run.finishedAt}`} label="The VM's screen at the end of the test" title="Screen" />
              ) : null}
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
