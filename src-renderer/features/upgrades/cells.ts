import type { BuildSummary, Res } from '../../../src-main/api/contract';
import type { UpgradeJob } from './upgrades-store';

export type Matrix = Res<'upgrades.matrix'>;
/** rolled-back: the update failed on the appliance, which went back to OLD by itself (still a failed upgrade). */
export type CellState = 'passed' | 'failed' | 'rolled-back' | 'not-run' | 'running' | 'queued' | 'same' | 'newer';

export interface CellView {
  from: BuildSummary;
  to: BuildSummary;
  state: CellState;
  runId?: number;
  /** Whether Run (and Run all) may start this pair. */
  runnable: boolean;
}

export const STATE_TEXT: Record<CellState, string> = {
  passed: 'passed',
  failed: 'failed',
  'rolled-back': 'rolled back',
  'not-run': 'not run',
  running: 'running',
  queued: 'queued',
  same: '—',
  newer: '—',
};

/** How many candidate columns the table shows besides the selected one. */
export const COLUMNS = 5;

export function label(b: BuildSummary): string {
  return `#${b.id} ${b.version}`;
}

/**
 * The cell of one pair as the user should see it: the stored verdict, or what the running job is
 * doing to it. Upgrading to the same or an older build is not an upgrade, so those cells are blank.
 */
export function cellView(m: Matrix, from: BuildSummary, to: BuildSummary, job: UpgradeJob | null): CellView {
  if (from.id === to.id) return { from, to, state: 'same', runnable: false };
  if (from.id > to.id) return { from, to, state: 'newer', runnable: false };
  const stored = m.cells.find((c) => c.fromBuildId === from.id && c.toBuildId === to.id);
  const base: CellView = { from, to, state: stored?.rolledBack ? 'rolled-back' : (stored?.status ?? 'not-run'), runId: stored?.runId, runnable: true };
  if (job && job.status === 'running' && job.toBuildId === to.id) {
    const idx = job.fromBuildIds.indexOf(from.id);
    const current = job.currentFrom === null ? -1 : job.fromBuildIds.indexOf(job.currentFrom);
    if (idx !== -1 && idx === current) return { ...base, state: 'running', runnable: false };
    if (idx !== -1 && idx > current) return { ...base, state: 'queued', runnable: false };
  }
  return base;
}

/**
 * The columns: the newest few candidates, oldest on the left, always including the selected one.
 * A candidate no released build is older than (a column of dashes only) is left out.
 */
export function visibleCandidates(m: Matrix, selectedId: number | null): BuildSummary[] {
  const shown = m.candidates.filter((c) => c.id === selectedId || m.rows.some((r) => r.id < c.id)).slice(0, COLUMNS);
  const sel = m.candidates.find((c) => c.id === selectedId);
  if (sel && !shown.includes(sel)) shown[shown.length - 1] = sel;
  return [...shown].sort((a, b) => a.id - b.id);
}

/** The pairs "Run all" starts: every runnable, never-run OLD build for the candidate. */
export function missingFor(m: Matrix, to: BuildSummary | undefined, job: UpgradeJob | null): number[] {
  if (!to) return [];
  return m.rows.map((r) => cellView(m, r, to, job)).filter((c) => c.runnable && c.state === 'not-run').map((c) => c.from.id);
}
