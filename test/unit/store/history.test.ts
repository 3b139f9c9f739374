import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../../src-main/store/store';
import { tmpHome } from './helpers';

// The history screen over 10,000 builds of three appliances. Speed is a benchmark's job; here
// the order and the filtering are what a user would notice.
const N = 10_000;
const names = ['alpha', 'beta', 'gamma'];
let home: string;
let store: Store;

beforeAll(() => {
  home = tmpHome();
  store = openStore(home);
  const start = Date.UTC(2025, 0, 1);
  store.transaction(() => {
    for (let i = 0; i < N; i++) {
      // Insert out of time order, with some identical timestamps, as imports and clock changes do.
      const createdAt = start + ((i * 7919) % N) * 60_000 - (i % 3 === 0 ? 60_000 : 0);
      const id = store.createBuild({ appliance: names[i % 3], dir: `/apps/${names[i % 3]}`, version: `1.0.${i}`, createdAt });
      store.finishBuild(id, { status: i % 10 === 0 ? 'failed' : 'succeeded', durationMs: 400 + (i % 50), bytes: 1000 + i, finishedAt: createdAt + 500 });
    }
  });
});
afterAll(() => {
  store.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function newestFirst(rows: { id: number; createdAt: string }[]): boolean {
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1];
    const b = rows[i];
    if (a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id)) return false;
  }
  return true;
}

describe('listBuilds over 10,000 builds', () => {
  it('returns every build, newest first (ties: the later build first)', () => {
    const t0 = performance.now();
    const rows = store.listBuilds();
    const ms = performance.now() - t0;
    const warm = Math.min(...[0, 1, 2, 3, 4].map(() => {
      const t = performance.now();
      store.listBuilds();
      return performance.now() - t;
    }));
    console.log(`listBuilds(): ${rows.length} rows in ${ms.toFixed(1)} ms (first call), ${warm.toFixed(1)} ms (best of 5 after)`);
    expect(rows).toHaveLength(N);
    expect(newestFirst(rows)).toBe(true);
    expect(rows[0]).toMatchObject({ appliance: expect.any(String), status: expect.stringMatching(/succeeded|failed/), released: false });
    expect(rows.filter((r) => r.status === 'failed')).toHaveLength(N / 10);
  });

  it('filters by appliance and honours the limit', () => {
    const beta = store.listBuilds({ appliance: 'beta' });
    expect(beta.length).toBe(Math.floor(N / 3));
    expect(beta.every((r) => r.appliance === 'beta')).toBe(true);
    expect(newestFirst(beta)).toBe(true);

    const top = store.listBuilds({ limit: 25 });
    expect(top).toEqual(store.listBuilds().slice(0, 25));
    expect(store.listBuilds({ appliance: 'nobody' })).toEqual([]);
  });
});
