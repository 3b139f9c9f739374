import type { BuildSummary } from '../../../src-main/api/contract';
import { formatTime } from '../../components/format';
import { cellView, label, STATE_TEXT, type CellView, type Matrix } from './cells';
import type { CellRef, UpgradeJob } from './upgrades-store';

interface Props {
  matrix: Matrix;
  columns: BuildSummary[];
  candidateId: number | null;
  job: UpgradeJob | null;
  selected: CellRef | null;
  onOpen(cell: CellRef): void;
  onRun(cell: CellView): void;
  busy: boolean;
}

function Cell({ cell, selected, onOpen, onRun, busy }: { cell: CellView; selected: boolean; onOpen(): void; onRun(): void; busy: boolean }) {
  const pair = `${label(cell.from)} → ${label(cell.to)}`;
  if (cell.state === 'same' || cell.state === 'newer') {
    return (
      <td className="upgrade-cell upgrade-cell-blank" title={cell.state === 'same' ? 'The same build' : `${label(cell.from)} is newer than ${label(cell.to)}: not an upgrade`}>
        <span aria-label={cell.state === 'same' ? 'same build' : 'not an upgrade'}>—</span>
      </td>
    );
  }
  return (
    <td className={`upgrade-cell${selected ? ' selected' : ''}`}>
      <div className="upgrade-cell-inner">
        <button
          type="button"
          className={`cell-verdict verdict-${cell.state}`}
          aria-label={`${pair}: ${STATE_TEXT[cell.state]}`}
          aria-pressed={selected}
          onClick={onOpen}
        >
          <span className={`status status-${cell.state}`}>{STATE_TEXT[cell.state]}</span>
        </button>
        {cell.runnable ? (
          <button type="button" className="button tiny" aria-label={`Run ${pair}`} title={`Upgrade ${pair} now`} onClick={onRun} disabled={busy}>
            {cell.state === 'not-run' ? 'Run' : 'Rerun'}
          </button>
        ) : null}
      </div>
    </td>
  );
}

/** Released builds down, candidates across; each cell the latest upgrade of that pair. */
export function UpgradeMatrix({ matrix, columns, candidateId, job, selected, onOpen, onRun, busy }: Props) {
  return (
    <div className="table-scroller">
      <table className="grid upgrade-matrix" aria-label="Upgrade matrix">
        <thead>
          <tr>
            <th scope="col" className="col-fit">
              Released build
            </th>
            <th scope="col" className="col-fit">
              Built
            </th>
            {columns.map((c) => (
              <th key={c.id} scope="col" className={`nowrap${c.id === candidateId ? ' candidate-col' : ''}`} aria-current={c.id === candidateId ? 'true' : undefined}>
                <span className="muted">to</span> {label(c)}
                {c.id === candidateId ? <span className="chip chip-candidate">candidate</span> : null}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.rows.map((r) => (
            <tr key={r.id}>
              <th scope="row" className="col-fit row-build">
                <span className="badge">{r.version}</span> <span className="mono muted">#{r.id}</span>
              </th>
              <td className="col-fit muted small">{formatTime(r.createdAt)}</td>
              {columns.map((c) => {
                const cell = cellView(matrix, r, c, job);
                const isSel = selected?.fromBuildId === r.id && selected.toBuildId === c.id;
                return (
                  <Cell
                    key={c.id}
                    cell={cell}
                    selected={isSel}
                    busy={busy}
                    onOpen={() => onOpen({ fromBuildId: r.id, toBuildId: c.id })}
                    onRun={() => onRun(cell)}
                  />
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
