/**
 * Wall time during which at least one external tool was running, and each tool's own time.
 * The benchmark uses it as the build's floor: the same tool calls with no Yoke around them
 * would take at least this long, so (build time / busy time) is Yoke's overhead.
 */
export interface ToolTime {
  busyMs: number;
  calls: number;
  byTool: Record<string, { calls: number; ms: number }>;
}

let active = 0;
let busySince = 0;
let stats: ToolTime = { busyMs: 0, calls: 0, byTool: {} };

export function toolStarted(): () => void {
  const t0 = performance.now();
  if (active++ === 0) busySince = t0;
  return () => {
    const t1 = performance.now();
    if (--active === 0) stats.busyMs += t1 - busySince;
    stats.calls++;
  };
}

export function toolFinished(tool: string, ms: number): void {
  const s = (stats.byTool[tool] ??= { calls: 0, ms: 0 });
  s.calls++;
  s.ms += ms;
}

/** Returns the figures since the last reset and starts counting afresh. */
export function takeToolTime(): ToolTime {
  const out = stats;
  stats = { busyMs: 0, calls: 0, byTool: {} };
  if (active > 0) busySince = performance.now();
  return out;
}
