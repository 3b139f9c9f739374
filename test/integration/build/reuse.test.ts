// "No changes since #N": a Build that asks to reuse (the window's Build button) answers the newest
// build when nothing in the folder changed since it was made, and adds no build to History; an
// edit, a forced rebuild or a different request builds again. History's rows carry used bytes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import type { EventName, EventPayload } from '../../../src-main/api/contract';
import { makeTestHome, removeTestHomes } from './helpers';
import { sampleVariant } from '../cli/cli-harness';

afterAll(removeTestHomes);

// Raw and qcow2 only (the exports cost build time); the sparse 64M data disk stays.
const small = (yaml: string) => yaml.replace(/^outputs:.*$/m, 'outputs: [raw, qcow2]').replace(/^flavours:\n(?:  .*\n)+/m, '');

async function build(engine: Engine, req: { dir: string; reuse?: boolean; outputs?: string[] }) {
  const finished: EventPayload<'job.finished'>[] = [];
  const off = engine.on((e: EventName, p: unknown) => {
    if (e === 'job.finished') finished.push(p as EventPayload<'job.finished'>);
  });
  try {
    const r = await engine.request('build.start', req);
    const outcome = await engine.jobs.wait(r.jobId);
    expect(outcome.status, outcome.error).toBe('succeeded');
    return { ...r, finished: finished.find((f) => f.jobId === r.jobId)! };
  } finally {
    off();
  }
}

describe('Build with nothing changed', () => {
  it('reuses the newest build instead of adding an identical one, until something changes or a rebuild is asked for', async () => {
    const home = await makeTestHome('yoke-reuse-');
    const dir = sampleVariant(small, 'reuse-app');
    const engine = new Engine({ home, face: 'cli' });
    try {
      const first = await build(engine, { dir, reuse: true });
      expect(first.unchangedSince).toBeUndefined();
      expect(first.finished.unchangedSince).toBeUndefined();

      const again = await build(engine, { dir, reuse: true });
      expect(again).toMatchObject({ buildId: first.buildId, unchangedSince: first.buildId });
      expect(again.finished).toMatchObject({ status: 'succeeded', buildId: first.buildId, unchangedSince: first.buildId });
      expect((await engine.request('builds.list', {})).map((b) => b.id)).toEqual([first.buildId]);

      // Without reuse (the CLI, "Rebuild anyway") a build is made, served from the cache.
      const forced = await build(engine, { dir });
      expect(forced.buildId).toBeGreaterThan(first.buildId);
      expect(forced.unchangedSince).toBeUndefined();
      // A build of fewer outputs does not stand in for the spec's whole set.
      const rawOnly = await build(engine, { dir, outputs: ['raw'] });
      expect(rawOnly.unchangedSince).toBeUndefined();
      const afterRaw = await build(engine, { dir, reuse: true });
      expect(afterRaw.unchangedSince).toBeUndefined();
      expect(afterRaw.buildId).toBeGreaterThan(rawOnly.buildId);

      // An edit in the folder makes the next Build a real one.
      await new Promise((r) => setTimeout(r, 20));
      fs.appendFileSync(path.join(dir, 'rootfs', 'srv', 'www', 'index.html'), '<!-- edited -->\n');
      const edited = await build(engine, { dir, reuse: true });
      expect(edited.unchangedSince).toBeUndefined();
      expect(edited.buildId).toBeGreaterThan(afterRaw.buildId);

      // History shows used bytes (allocated blocks) beside the apparent size: the disks are sparse.
      const row = (await engine.request('builds.list', {})).find((b) => b.id === edited.buildId)!;
      expect(row.usedBytes).toBeGreaterThan(0);
      expect(row.usedBytes!).toBeLessThan(row.bytes! / 2);
      const detail = await engine.request('builds.get', { id: edited.buildId });
      expect(row.usedBytes).toBe(detail.usedBytes);
    } finally {
      await engine.close();
    }
  }, 300_000);
});
