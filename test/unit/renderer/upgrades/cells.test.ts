import { describe, expect, it } from 'vitest';
import type { BuildSummary } from '../../../../src-main/api/contract';
import { cellView, missingFor, visibleCandidates, type Matrix } from '../../../../src-renderer/features/upgrades/cells';
import type { UpgradeJob } from '../../../../src-renderer/features/upgrades/upgrades-store';

function build(id: number, version: string, released = false): BuildSummary {
  return { id, appliance: 'hello-web', version, status: 'succeeded', testStatus: 'passed', createdAt: '2025-01-01T00:00:00.000Z', durationMs: 1000, bytes: 1, released };
}

// Released 1.0 (#1) and 1.1 (#2); candidates #3 (1.2) and #2, newest first as the engine answers.
const b1 = build(1, '1.0', true);
const b2 = build(2, '1.1', true);
const b3 = build(3, '1.2');
const matrix: Matrix = {
  rows: [b1, b2],
  candidates: [b3, b2, b1],
  cells: [
    { fromBuildId: 1, toBuildId: 3, status: 'passed', runId: 7 },
    { fromBuildId: 1, toBuildId: 2, status: 'failed', runId: 5 },
    { fromBuildId: 2, toBuildId: 3, status: 'not-run' },
    { fromBuildId: 2, toBuildId: 1, status: 'not-run' },
  ],
};
const rolled: Matrix = { ...matrix, cells: [{ fromBuildId: 1, toBuildId: 3, status: 'failed', runId: 9, rolledBack: true }, ...matrix.cells.slice(1)] };

function job(patch: Partial<UpgradeJob>): UpgradeJob {
  return { jobId: 'j', toBuildId: 3, fromBuildIds: [1, 2], method: 'swap', status: 'running', stage: 'old', message: '', fraction: 0, currentFrom: null, done: 0, checks: [], ...patch };
}

describe('upgrade matrix cells', () => {
  it('shows the stored verdict with its run, and blanks for the same or an older candidate', () => {
    expect(cellView(matrix, b1, b3, null)).toMatchObject({ state: 'passed', runId: 7, runnable: true });
    expect(cellView(matrix, b2, b3, null)).toMatchObject({ state: 'not-run', runnable: true });
    expect(cellView(matrix, b2, b2, null)).toMatchObject({ state: 'same', runnable: false });
    expect(cellView(matrix, b2, b1, null)).toMatchObject({ state: 'newer', runnable: false });
  });

  it('a pair whose update rolled itself back is its own state, not a plain failure', () => {
    expect(cellView(rolled, b1, b3, null)).toMatchObject({ state: 'rolled-back', runId: 9, runnable: true });
    expect(cellView(matrix, b1, b2, null)).toMatchObject({ state: 'failed' });
  });

  it('marks the pair the job is on as running and the ones after it as queued', () => {
    const j = job({ currentFrom: 1 });
    expect(cellView(matrix, b1, b3, j).state).toBe('running');
    expect(cellView(matrix, b2, b3, j).state).toBe('queued');
    // Another candidate's cells are not the job's.
    expect(cellView(matrix, b1, b2, j).state).toBe('failed');
    // Once finished, the stored verdicts show again.
    expect(cellView(matrix, b2, b3, job({ status: 'succeeded' })).state).toBe('not-run');
  });

  it('Run all takes only the never-run, runnable pairs of the candidate', () => {
    expect(missingFor(matrix, b3, null)).toEqual([2]);
    expect(missingFor(matrix, b2, null)).toEqual([]);
    expect(missingFor(matrix, b3, job({ currentFrom: 1 }))).toEqual([]);
  });

  it('shows the newest candidates oldest first, leaving out a column of dashes unless selected', () => {
    expect(visibleCandidates(matrix, 3).map((c) => c.id)).toEqual([2, 3]);
    expect(visibleCandidates(matrix, 1).map((c) => c.id)).toEqual([1, 2, 3]);
  });
});
