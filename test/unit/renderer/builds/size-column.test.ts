import { describe, expect, it } from 'vitest';
import type { BuildSummary } from '../../../../src-main/api/contract';
import { filterAndSort, sizeCell } from '../../../../src-renderer/features/builds/build-filter';

function build(id: number, bytes: number | null, usedBytes?: number | null): BuildSummary {
  return { id, appliance: 'hello-web', version: '1.0.0', status: 'succeeded', testStatus: 'passed', createdAt: '2026-01-01T00:00:00.000Z', durationMs: 1000, bytes, usedBytes, released: false };
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('the Builds table Size column', () => {
  it('shows used bytes, with the apparent size on hover', () => {
    expect(sizeCell(build(1, 1.4 * GiB, 121 * MiB))).toEqual({ text: '121 MiB', title: '121 MiB used on disk; 1.4 GiB apparent (disk images are sparse)', sortValue: 121 * MiB });
  });

  it('says when a build made before used bytes were kept shows its apparent size', () => {
    const c = sizeCell(build(2, 1.4 * GiB, null));
    expect(c.text).toBe('1.4 GiB');
    expect(c.title).toMatch(/^1\.4 GiB apparent \(used bytes not measured yet/);
    expect(sizeCell(build(3, null)).text).toBe('—');
  });

  it('sorts by the size it shows', () => {
    const rows = [build(1, 2 * GiB, 10 * MiB), build(2, 1 * GiB, 500 * MiB), build(3, 100 * MiB, null)];
    const sorted = filterAndSort(rows, { appliance: '', status: '', text: '' }, { key: 'bytes', dir: 'desc' });
    expect(sorted.map((b) => b.id)).toEqual([2, 3, 1]);
  });
});
