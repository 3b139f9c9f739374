import { useEffect } from 'react';
import { subscribe } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ScreenHeader } from '../../components/ScreenHeader';
import { formatBytes, formatDuration, formatTime } from '../../components/format';
import { useCommand } from '../../components/useCommand';

const COLUMNS = ['#', 'Appliance', 'Version', 'Status', 'Created', 'Duration', 'Size'];

export function BuildsScreen() {
  const builds = useCommand('builds.list', { limit: 200 });
  const rows = builds.value ?? [];
  const { reload } = builds;
  // A build row appears when its job starts and changes when it ends.
  useEffect(() => {
    const offStart = subscribe('job.started', () => reload());
    const offEnd = subscribe('job.finished', () => reload());
    return () => {
      offStart();
      offEnd();
    };
  }, [reload]);
  return (
    <div className="screen">
      <ScreenHeader title="Builds" subtitle="Every build of every appliance, newest first.">
        <button type="button" className="button" onClick={() => reload()} disabled={builds.status === 'loading'}>
          Refresh
        </button>
      </ScreenHeader>
      {builds.status === 'error' ? <ErrorNotice title="Could not list builds">{builds.error.message}</ErrorNotice> : null}
      <section className="panel flush">
        <table className="grid" aria-label="Builds">
          <thead>
            <tr>
              {COLUMNS.map((c) => (
                <th key={c} scope="col" className={c === '#' ? 'num col-id' : c === 'Duration' || c === 'Size' ? 'num' : undefined}>
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((b) => (
              <tr key={b.id}>
                <td className="num mono">{b.id}</td>
                <td>{b.appliance}</td>
                <td className="mono">{b.version}</td>
                <td>
                  <span className={`status status-${b.status}`}>{b.status}</span>
                  {b.released ? <span className="badge small">released</span> : null}
                  {b.error ? <div className="cell-error">{b.error}</div> : null}
                </td>
                <td>{formatTime(b.createdAt)}</td>
                <td className="num">{formatDuration(b.durationMs)}</td>
                <td className="num">{formatBytes(b.bytes)}</td>
              </tr>
            ))}
            {rows.length === 0 && builds.status === 'ok' ? (
              <tr>
                <td colSpan={COLUMNS.length}>
                  <EmptyState title="No builds yet">
                    <p>
                      Build an appliance with <code className="mono">yoke build DIR</code>; its images, logs and check results show up here.
                    </p>
                  </EmptyState>
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </section>
    </div>
  );
}
