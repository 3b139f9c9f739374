import type { BuildSummary, TestStatus } from '../../../src-main/api/contract';
import { formatBytes } from '../../components/format';

export type SortKey = 'id' | 'appliance' | 'version' | 'createdAt' | 'status' | 'testStatus' | 'durationMs' | 'bytes' | 'released';
export interface BuildFilter {
  appliance: string;
  status: string;
  /** A test outcome ('passed', 'failed', 'not-run', 'interrupted'…) or '' for any. */
  test?: string;
  text: string;
}

/** What the Test column and filter call each test outcome. */
export const TEST_LABELS: Record<TestStatus, string> = {
  passed: 'passed',
  failed: 'failed',
  'not-run': 'not run',
  interrupted: 'interrupted',
  running: 'testing…',
  cancelled: 'cancelled',
};
export const TEST_FILTERS: readonly TestStatus[] = ['passed', 'failed', 'not-run', 'interrupted', 'cancelled'];
export interface Sort {
  key: SortKey;
  dir: 'asc' | 'desc';
}

/**
 * The Size column: what the files use on disk (disk images are sparse: a 1 GiB data disk may
 * hold a few MB), the apparent size on hover. Builds made before Yoke kept used bytes show their
 * apparent size until their details are opened once (which measures them), and say so.
 */
export function sizeCell(b: Pick<BuildSummary, 'bytes' | 'usedBytes'>): { text: string; title: string | undefined; sortValue: number } {
  if (b.bytes === null) return { text: '—', title: undefined, sortValue: -1 };
  if (b.usedBytes === null || b.usedBytes === undefined) {
    return { text: formatBytes(b.bytes), title: `${formatBytes(b.bytes)} apparent (used bytes not measured yet: open the build to measure them)`, sortValue: b.bytes };
  }
  return { text: formatBytes(b.usedBytes), title: `${formatBytes(b.usedBytes)} used on disk; ${formatBytes(b.bytes)} apparent (disk images are sparse)`, sortValue: b.usedBytes };
}

function value(b: BuildSummary, key: SortKey): string | number {
  if (key === 'bytes') return sizeCell(b).sortValue;
  const v = b[key];
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v ?? -1;
}

/** The builds that pass the filter, sorted; a new array, the input is left alone. */
export function filterAndSort(builds: readonly BuildSummary[], filter: BuildFilter, sort: Sort): BuildSummary[] {
  const text = filter.text.trim().toLowerCase();
  const out = builds.filter(
    (b) =>
      (filter.appliance === '' || b.appliance === filter.appliance) &&
      (filter.status === '' || b.status === filter.status) &&
      (!filter.test || (b.testStatus ?? 'not-run') === filter.test) &&
      (text === '' ||
        b.appliance.toLowerCase().includes(text) ||
        b.version.toLowerCase().includes(text) ||
        String(b.id) === text.replace(/^#/, '') ||
        (b.error ?? '').toLowerCase().includes(text)),
  );
  const sign = sort.dir === 'asc' ? 1 : -1;
  out.sort((a, b) => {
    const x = value(a, sort.key);
    const y = value(b, sort.key);
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y), undefined, { numeric: true });
    return c !== 0 ? sign * c : b.id - a.id;
  });
  return out;
}

/** Distinct values of a column, sorted, for the filter menus. */
export function distinct(builds: readonly BuildSummary[], key: 'appliance' | 'status'): string[] {
  return [...new Set(builds.map((b) => b[key]))].sort();
}
