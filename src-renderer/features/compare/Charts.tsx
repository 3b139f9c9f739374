import type { BuildComparison } from '../../../src-main/api/contract';
import { formatBytes, formatDuration } from '../../components/format';
import { squarify } from './treemap';

const W = 360;
const H = 200;

/** Rootfs bytes by top-level directory, as rectangles whose areas are the sizes. */
export function Treemap({ side, label }: { side: BuildComparison['a']; label: string }) {
  const top = side.dirs.filter((d) => !d.path.includes('/'));
  const placed = squarify(top, (d) => d.bytes, { x: 0, y: 0, w: W, h: H });
  if (side.rootfsError) return <p className="muted small">{side.rootfsError}</p>;
  return (
    <figure className="cmp-figure">
      <svg viewBox={`0 0 ${W} ${H}`} className="cmp-treemap" role="img" aria-label={label}>
        {placed.map((p, i) => (
          <g key={p.item.path}>
            <rect x={p.x + 1} y={p.y + 1} width={Math.max(0, p.w - 2)} height={Math.max(0, p.h - 2)} rx="3" className={`cmp-tile cmp-tile-${i % 6}`}>
              <title>{`/${p.item.path}: ${formatBytes(p.item.bytes)}`}</title>
            </rect>
            {p.w > 46 && p.h > 26 ? (
              <text x={p.x + 7} y={p.y + 17} className="cmp-tile-label">
                /{p.item.path}
                <tspan x={p.x + 7} dy="14" className="cmp-tile-size">
                  {formatBytes(p.item.bytes)}
                </tspan>
              </text>
            ) : null}
          </g>
        ))}
      </svg>
      <figcaption className="muted small">
        {formatBytes(side.rootfsBytes)} in {side.rootfsFiles.toLocaleString()} files
      </figcaption>
    </figure>
  );
}

/** One bar per build of the history; the two compared builds stand out. */
export function HistoryChart({
  history,
  pick,
  format,
  label,
  marked,
}: {
  history: BuildComparison['history'];
  pick(h: BuildComparison['history'][number]): number | null;
  format(n: number): string;
  label: string;
  marked: number[];
}) {
  const points = history.filter((h) => pick(h) !== null);
  const max = Math.max(1, ...points.map((h) => pick(h)!));
  const cw = 360;
  const ch = 120;
  const bw = points.length ? Math.min(24, (cw - 8) / points.length) : 0;
  return (
    <figure className="cmp-figure">
      <figcaption className="cmp-chart-title">
        {label} <span className="muted small">(max {format(max)})</span>
      </figcaption>
      <svg viewBox={`0 0 ${cw} ${ch + 16}`} className="cmp-chart" role="img" aria-label={`${label} across ${points.length} builds`}>
        <line x1="0" y1={ch} x2={cw} y2={ch} className="cmp-axis" />
        {points.map((h, i) => {
          const v = pick(h)!;
          const bh = Math.max(1, (v / max) * (ch - 6));
          const x = 4 + i * bw;
          return (
            <rect key={h.id} x={x + 1} y={ch - bh} width={Math.max(1, bw - 2)} height={bh} className={marked.includes(h.id) ? 'cmp-bar marked' : 'cmp-bar'}>
              <title>{`#${h.id} ${h.version}: ${format(v)}`}</title>
            </rect>
          );
        })}
        {points.length ? (
          <>
            <text x="4" y={ch + 13} className="cmp-axis-label">
              #{points[0].id}
            </text>
            <text x={cw - 4} y={ch + 13} className="cmp-axis-label" textAnchor="end">
              #{points[points.length - 1].id}
            </text>
          </>
        ) : null}
      </svg>
    </figure>
  );
}

export const chartFormats = { duration: (n: number) => formatDuration(n), bytes: (n: number) => formatBytes(n) };
