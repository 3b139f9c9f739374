import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import type { BuildSummary } from '../../../src-main/api/contract';
import { formatDuration, formatShortTime, formatTime } from '../../components/format';
import { sizeCell, TEST_LABELS, type Sort, type SortKey } from './build-filter';

const ROW_HEIGHT = 33;
const COLUMNS: ReadonlyArray<{ key: SortKey; label: string; num?: boolean; title?: string }> = [
  { key: 'id', label: '#', num: true },
  { key: 'appliance', label: 'Appliance' },
  { key: 'version', label: 'Version' },
  { key: 'createdAt', label: 'Date' },
  { key: 'status', label: 'Build' },
  { key: 'testStatus', label: 'Test' },
  { key: 'durationMs', label: 'Duration', num: true },
  // Used bytes, as the details show them (sizeCell in build-filter.ts); apparent on hover.
  { key: 'bytes', label: 'Size', num: true, title: 'What the artifacts use on disk (hover a size for the apparent size: disk images are sparse)' },
  { key: 'released', label: 'Released' },
];

/**
 * The build history as a real table whose body holds only the rows on screen (plus spacers),
 * so 10,000 builds render as fast as 30.
 */
export function BuildsTable({
  rows,
  sort,
  onSort,
  selected,
  onSelect,
  empty,
  compact,
  picked = [],
  onPick,
}: {
  rows: readonly BuildSummary[];
  sort: Sort;
  onSort(key: SortKey): void;
  selected: number | null;
  onSelect(id: number): void;
  empty: React.ReactNode;
  compact: boolean;
  /** Builds ticked for comparison. */
  picked?: readonly number[];
  onPick?(id: number, on: boolean): void;
}) {
  const span = COLUMNS.length + (onPick ? 1 : 0);
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtualizer.getVirtualItems();
  const top = items.length > 0 ? items[0].start : 0;
  const bottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1].end : 0;

  // Up and down arrows move between rows (focus and selection), as in a list.
  const onRowKey = (e: React.KeyboardEvent<HTMLTableSectionElement>) => {
    if ((e.key !== 'ArrowDown' && e.key !== 'ArrowUp') || e.altKey || e.ctrlKey || e.metaKey) return;
    const row = (e.target as HTMLElement).closest('tr');
    const next = (e.key === 'ArrowDown' ? row?.nextElementSibling : row?.previousElementSibling) as HTMLElement | null;
    const button = next?.querySelector<HTMLButtonElement>('button.link-button');
    if (!button) return;
    e.preventDefault();
    button.focus();
    button.click();
  };

  return (
    <div ref={scroller} className={compact ? 'table-scroller compact' : 'table-scroller'}>
      <table className="grid builds-grid" aria-label="Builds" aria-rowcount={rows.length + 1}>
        <thead>
          <tr>
            {onPick ? (
              <th scope="col" className="col-pick">
                <span className="sr-only">Compare</span>
              </th>
            ) : null}
            {COLUMNS.map((c) => (
              <th
                key={c.key}
                scope="col"
                className={c.num ? `num col-${c.key}` : `col-${c.key}`}
                aria-sort={sort.key === c.key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined}
              >
                <button type="button" className="sort-button" title={c.title} onClick={() => onSort(c.key)}>
                  {c.label}
                  <span aria-hidden="true" className="sort-mark">
                    {sort.key === c.key ? (sort.dir === 'asc' ? '▲' : '▼') : ''}
                  </span>
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody onKeyDown={onRowKey}>
          {top > 0 ? (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={span} style={{ height: top }} />
            </tr>
          ) : null}
          {items.map((item) => {
            const b = rows[item.index];
            const isSelected = b.id === selected;
            const size = sizeCell(b);
            return (
              <tr key={b.id} aria-rowindex={item.index + 2} aria-selected={isSelected} className={isSelected ? 'selected' : undefined} onClick={() => onSelect(b.id)}>
                {onPick ? (
                  <td className="col-pick" onClick={(e) => e.stopPropagation()}>
                    <input type="checkbox" aria-label={`Select build ${b.id} to compare`} checked={picked.includes(b.id)} onChange={(e) => onPick(b.id, e.target.checked)} />
                  </td>
                ) : null}
                <td className="num mono">
                  <button type="button" className="link-button" onClick={() => onSelect(b.id)} aria-label={`Open build ${b.id}`}>
                    {b.id}
                  </button>
                </td>
                <td className="ellipsis" title={b.appliance}>
                  {b.appliance}
                </td>
                <td className="mono ellipsis" title={b.version}>
                  {b.version}
                </td>
                <td className="nowrap" title={formatTime(b.createdAt)}>
                  {formatShortTime(b.createdAt)}
                </td>
                <td className="nowrap" title={b.error ?? undefined}>
                  <span className={`status status-${b.status}`}>{b.status}</span>
                </td>
                <td className="nowrap">
                  <span className={`status status-${b.testStatus ?? 'not-run'}`}>{TEST_LABELS[b.testStatus ?? 'not-run']}</span>
                </td>
                <td className="num">{formatDuration(b.durationMs)}</td>
                <td className="num" title={size.title}>
                  {size.text}
                </td>
                <td>{b.released ? <span className="chip chip-ok">released</span> : <span className="muted">—</span>}</td>
              </tr>
            );
          })}
          {bottom > 0 ? (
            <tr aria-hidden="true" className="spacer">
              <td colSpan={span} style={{ height: bottom }} />
            </tr>
          ) : null}
          {rows.length === 0 ? (
            <tr>
              <td colSpan={span}>{empty}</td>
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}
