import { useEffect, useMemo, useState } from 'react';
import type { BuildDetail } from '../../../src-main/api/contract';
import { invoke } from '../../api/client';
import { CopyButton } from '../../components/CopyButton';
import { ErrorNotice } from '../../components/ErrorNotice';
import { formatBytes, formatDuration, formatTime } from '../../components/format';
import { LogView } from '../../components/LogView';
import { useCommand } from '../../components/useCommand';
import { LogBuffer } from '../../lib/log-buffer';
import { useNavigation } from '../../stores/navigation';
import { useVmsSelection } from '../../stores/vms-selection';
import { usePresent } from '../present/present-store';
import { ChecksList } from '../build/ChecksList';
import { StageTimeline } from '../build/StageTimeline';
import { onTabListKey } from '../../components/tab-keys';
import { TEST_LABELS } from './build-filter';

const LOG_TAIL = 200_000;

function BuildLog({ id }: { id: number }) {
  const log = useCommand('builds.log', { id, tail: LOG_TAIL });
  const buffer = useMemo(() => {
    const b = new LogBuffer();
    if (log.value) b.append(log.value.lines);
    return b;
  }, [log.value]);
  if (log.status === 'error') return <ErrorNotice title="Could not read the build log">{log.error.message}</ErrorNotice>;
  return (
    <>
      {log.value?.truncated ? <p className="muted small">Showing the last {LOG_TAIL.toLocaleString()} lines.</p> : null}
      <LogView buffer={buffer} version={buffer.length} label={`Log of build ${id}`} empty={log.status === 'loading' ? 'Loading…' : 'The log is empty.'} />
    </>
  );
}

function Artifacts({ build }: { build: BuildDetail }) {
  if (build.artifacts.length === 0) return <p className="muted small">No artifacts{build.status === 'succeeded' ? '' : ': the build did not finish'}.</p>;
  return (
    <table className="grid artifacts" aria-label="Artifacts">
      <thead>
        <tr>
          <th scope="col">Format</th>
          <th scope="col">Disk</th>
          <th scope="col" className="num">
            Size
          </th>
          <th scope="col">SHA-256</th>
          <th scope="col">Path</th>
        </tr>
      </thead>
      <tbody>
        {build.artifacts.map((a) => (
          <tr key={a.path}>
            <td className="mono nowrap">{a.format}</td>
            <td className="nowrap">
              {a.disk ?? '—'}
              {a.flavour ? <span className="muted"> · {a.flavour}</span> : null}
            </td>
            <td className="num nowrap" title={`${formatBytes(a.bytes)} apparent (the size a copy without holes would take)`}>
              {formatBytes(a.usedBytes ?? a.bytes)}
            </td>
            <td>
              <span className="copyable">
                <code className="hash" title={a.sha256}>
                  {a.sha256}
                </code>
                <CopyButton value={a.sha256} label={`Copy SHA-256 of ${a.format}${a.disk ? ` ${a.disk}` : ''}${a.flavour ? ` ${a.flavour}` : ''}`} />
              </span>
            </td>
            <td>
              <span className="copyable">
                <code className="path-cell" title={a.path}>
                  {a.path}
                </code>
                <CopyButton value={a.path} label={`Copy path of ${a.format}${a.disk ? ` ${a.disk}` : ''}${a.flavour ? ` ${a.flavour}` : ''}`} />
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One build: what it made, how long each stage took, how its checks went, and its log. */
export function BuildDetails({ id, onChanged, onDeleted }: { id: number; onChanged(): void; onDeleted(): void }) {
  const detail = useCommand('builds.get', { id });
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  // Summary and Log are tabs: each fills the pane and scrolls on its own (the log inside a
  // scrolling summary was a scroll area within a scroll area, which hid the log's tail).
  const [view, setView] = useState<'summary' | 'log'>('summary');
  const go = useNavigation((s) => s.go);
  const openTerminal = useVmsSelection((s) => s.openTerminal);
  useEffect(() => {
    setConfirming(false);
    setError(null);
  }, [id]);

  const b = detail.value && detail.value.id === id ? detail.value : null;
  if (detail.status === 'error' && !b) return <ErrorNotice title={`Could not load build #${id}`}>{detail.error.message}</ErrorNotice>;
  if (!b) return <p className="muted">Loading build #{id}…</p>;

  const act = async (work: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    const failed = await work();
    setBusy(false);
    if (failed) setError(failed);
  };
  const release = () =>
    act(async () => {
      const r = await invoke('builds.release', { id, released: !b.released });
      if (!r.ok) return r.error.message;
      detail.reload();
      onChanged();
      return null;
    });
  const remove = () =>
    act(async () => {
      const r = await invoke('builds.delete', { id });
      if (!r.ok) return r.error.message;
      onDeleted();
      return null;
    });
  const boot = () =>
    act(async () => {
      const r = await invoke('vms.boot', { buildId: id });
      if (!r.ok) return r.error.message;
      openTerminal(null);
      go('vms');
      return null;
    });

  const checks = b.checks.map((c) => ({ ...c, seenAt: 0 }));
  const testLabel = TEST_LABELS[b.testStatus ?? 'not-run'];
  const stages = b.stages.map((s) => ({ name: s.name, status: s.status, cached: s.cacheHit, durationMs: s.durationMs, startedAt: 0 }));

  return (
    <section className="panel build-details fill" aria-label={`Build ${id}`}>
      <header className="details-header">
        <div className="details-title">
          <h2>
            {b.appliance} <span className="badge">{b.version}</span>
          </h2>
          <span className={`status status-${b.status}`}>{b.status}</span>
          <span className={`status status-${b.testStatus ?? 'not-run'}`}>test {testLabel}</span>
          {b.released ? <span className="chip chip-ok">released</span> : null}
          <span className="muted small">
            #{b.id} · {formatTime(b.createdAt)} · {formatDuration(b.durationMs)} ·{' '}
            <span title={`${formatBytes(b.bytes)} apparent: disk images are sparse, so they use less than their size`}>{formatBytes(b.usedBytes ?? b.bytes)} used</span>
          </span>
        </div>
        <div className="details-actions">
          <button type="button" className="button" onClick={() => void boot()} disabled={busy || b.status !== 'succeeded'}>
            Boot
          </button>
          <button
            type="button"
            className="button"
            title="Boot a throwaway copy full-screen, with its links big, for a demo"
            onClick={() => void usePresent.getState().start(id, `${b.appliance} ${b.version}`)}
            disabled={busy || b.status !== 'succeeded'}
          >
            Present
          </button>
          <button type="button" className="button" onClick={() => void release()} disabled={busy || b.status !== 'succeeded'}>
            {b.released ? 'Unrelease' : 'Release'}
          </button>
          <button type="button" className="button danger" onClick={() => setConfirming(true)} disabled={busy || confirming}>
            Delete
          </button>
        </div>
      </header>
      {confirming ? (
        <div className="confirm" role="alertdialog" aria-label={`Delete build ${id}?`}>
          <p>
            Delete build #{id} ({b.appliance} {b.version}){b.usedBytes || b.bytes ? ` and its ${formatBytes(b.usedBytes ?? b.bytes)} of files` : ' and its log'}?{' '}
            {b.released ? 'It is released: customers may still need it.' : ''}
          </p>
          <button type="button" className="button danger" onClick={() => void remove()} disabled={busy} autoFocus>
            Delete build
          </button>
          <button type="button" className="button" onClick={() => setConfirming(false)}>
            Keep it
          </button>
        </div>
      ) : null}
      {error ? <ErrorNotice title="That did not work">{error}</ErrorNotice> : null}
      {b.status === 'cancelled' ? (
        <p className="notice notice-quiet">Cancelled before it finished: it made no artifacts.</p>
      ) : b.error ? (
        <ErrorNotice title="The build failed">{b.error}</ErrorNotice>
      ) : null}

      <div className="tabs" role="tablist" aria-label="Build views" onKeyDown={onTabListKey}>
        {(['summary', 'log'] as const).map((v) => (
          <button key={v} type="button" role="tab" className="tab" aria-selected={view === v} tabIndex={view === v ? 0 : -1} onClick={() => setView(v)}>
            {v === 'summary' ? 'Summary' : 'Log'}
          </button>
        ))}
      </div>
      {view === 'log' ? (
        <div role="tabpanel" aria-label={`Log of build ${id}`} className="details-log">
          <BuildLog id={id} />
        </div>
      ) : (
        <div role="tabpanel" aria-label={`Summary of build ${id}`} className="details-body">
          <div className="details-grid">
            <section aria-labelledby={`stages-${id}`}>
              <h3 id={`stages-${id}`} className="panel-title">
                Stages
              </h3>
              <StageTimeline stages={stages} live={false} />
            </section>
            <section aria-labelledby={`checks-${id}`}>
              <h3 id={`checks-${id}`} className="panel-title">
                Checks
              </h3>
              {checks.length === 0 ? (
                <p className="muted small">Not tested yet.</p>
              ) : (
                // The build's own latest test run only: upgrade runs that used it show in Upgrades.
                <div className="check-run" role="group" aria-label="Latest test run">
                  <p className="muted small check-run-label">Latest test run: {testLabel}</p>
                  <ChecksList checks={checks} live={false} dir={b.dir} />
                </div>
              )}
            </section>
          </div>
          <section aria-labelledby={`artifacts-${id}`} className="subsection">
            <h3 id={`artifacts-${id}`} className="panel-title">
              Artifacts
            </h3>
            <Artifacts build={b} />
          </section>
        </div>
      )}
    </section>
  );
}
