import { useEffect, useId, useMemo, useState } from 'react';
import { subscribe } from '../../api/client';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { ScreenHeader } from '../../components/ScreenHeader';
import { useBuildsSelection } from '../../stores/builds-selection';
import { BuildDetails } from './BuildDetails';
import { CompareView } from '../compare/CompareView';
import { BuildsTable } from './BuildsTable';
import { useBuildHistory } from './useBuildHistory';
import { distinct, filterAndSort, TEST_FILTERS, TEST_LABELS, type BuildFilter, type Sort, type SortKey } from './build-filter';

const NUMERIC_FIRST_DESC: SortKey[] = ['id', 'createdAt', 'durationMs', 'bytes', 'released'];

export function BuildsScreen() {
  const builds = useBuildHistory();
  const { reload } = builds;
  const { selected, select } = useBuildsSelection();
  const [filter, setFilter] = useState<BuildFilter>({ appliance: '', status: '', test: '', text: '' });
  const [sort, setSort] = useState<Sort>({ key: 'id', dir: 'desc' });
  const ids = { appliance: useId(), status: useId(), test: useId(), text: useId() };
  // Two builds ticked for comparison (the oldest pick drops out when a third is ticked).
  const [picked, setPicked] = useState<number[]>([]);
  const [comparing, setComparing] = useState<[number, number] | null>(null);
  const pick = (id: number, on: boolean) => setPicked((p) => (on ? [...p.filter((x) => x !== id), id].slice(-2) : p.filter((x) => x !== id)));

  // A build row appears when its job starts and changes when it ends.
  useEffect(() => {
    const offStart = subscribe('job.started', () => reload());
    const offEnd = subscribe('job.finished', () => reload());
    const offChanged = subscribe('builds.changed', () => reload());
    return () => {
      offStart();
      offEnd();
      offChanged();
    };
  }, [reload]);

  const all = builds.value;
  const appliances = useMemo(() => distinct(all ?? [], 'appliance'), [all]);
  const statuses = useMemo(() => distinct(all ?? [], 'status'), [all]);
  const rows = useMemo(() => filterAndSort(all ?? [], filter, sort), [all, filter, sort]);

  const onSort = (key: SortKey) =>
    setSort((s) => (s.key === key ? { key, dir: s.dir === 'asc' ? 'desc' : 'asc' } : { key, dir: NUMERIC_FIRST_DESC.includes(key) ? 'desc' : 'asc' }));
  const total = all?.length ?? 0;
  if (comparing) return <CompareView a={comparing[0]} b={comparing[1]} onBack={() => setComparing(null)} />;

  return (
    // The table and a build's details are panes that scroll on their own; the screen does not.
    <div className="screen screen-fill builds-screen">
      <ScreenHeader title="Builds" subtitle="Every build of every appliance. Select one for its artifacts, checks and log.">
        <button
          type="button"
          className="button"
          title={picked.length === 2 ? `Compare build #${Math.min(...picked)} with #${Math.max(...picked)}` : 'Tick two builds to compare them'}
          disabled={picked.length !== 2}
          onClick={() => setComparing([Math.min(...picked), Math.max(...picked)] as [number, number])}
        >
          Compare{picked.length ? <span aria-hidden="true" className="muted"> {picked.length}/2</span> : null}
        </button>
        <button type="button" className="button" onClick={() => reload()} disabled={builds.status === 'loading'}>
          Refresh
        </button>
      </ScreenHeader>
      {builds.status === 'error' ? <ErrorNotice title="Could not list builds">{builds.error.message}</ErrorNotice> : null}
      <div className="filters" role="search" aria-label="Filter builds">
        <label htmlFor={ids.appliance}>Appliance</label>
        <select id={ids.appliance} value={filter.appliance} onChange={(e) => setFilter({ ...filter, appliance: e.target.value })}>
          <option value="">All</option>
          {appliances.map((a) => (
            <option key={a}>{a}</option>
          ))}
        </select>
        <label htmlFor={ids.status}>Build</label>
        <select id={ids.status} value={filter.status} onChange={(e) => setFilter({ ...filter, status: e.target.value })}>
          <option value="">All</option>
          {statuses.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <label htmlFor={ids.test}>Test</label>
        <select id={ids.test} value={filter.test} onChange={(e) => setFilter({ ...filter, test: e.target.value })}>
          <option value="">All</option>
          {TEST_FILTERS.map((t) => (
            <option key={t} value={t}>
              {TEST_LABELS[t]}
            </option>
          ))}
        </select>
        <label htmlFor={ids.text} className="sr-only">
          Search builds
        </label>
        <input id={ids.text} type="search" placeholder="Search version, #id, error…" value={filter.text} onChange={(e) => setFilter({ ...filter, text: e.target.value })} />
        <span className="muted small">{rows.length === total ? `${total.toLocaleString()} ${total === 1 ? 'build' : 'builds'}` : `${rows.length.toLocaleString()} of ${total.toLocaleString()}`}</span>
      </div>
      <section className={selected !== null ? 'panel flush builds-table compact' : 'panel flush builds-table'}>
        <BuildsTable
          rows={rows}
          sort={sort}
          onSort={onSort}
          selected={selected}
          onSelect={select}
          compact={selected !== null}
          picked={picked}
          onPick={pick}
          empty={
            builds.status === 'loading' && !all ? (
              <p className="muted">Loading…</p>
            ) : total === 0 ? (
              <EmptyState title="No builds yet">
                <p>
                  Open an appliance and press Build, or run <code className="mono">yoke build DIR</code>; its images, logs and check results show up here.
                </p>
              </EmptyState>
            ) : (
              <EmptyState title="No build matches the filter" />
            )
          }
        />
      </section>
      {selected !== null ? (
        <BuildDetails
          key={selected}
          id={selected}
          onChanged={reload}
          onDeleted={() => {
            select(null);
            reload();
          }}
        />
      ) : null}
    </div>
  );
}
