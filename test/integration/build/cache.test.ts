import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../../src-main/build/pipeline';
import { cpSparse } from '../../../src-main/tools/cp';
import { loadSpec } from '../../../src-main/spec/load';
import { makeTestHome, removeTestHomes } from './helpers';

const SAMPLE = path.resolve(__dirname, '../../../resources/sample/hello-web');

function copySample(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-sample-'));
  fs.cpSync(SAMPLE, dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
  return dir;
}

describe('stage cache', () => {
  afterAll(removeTestHomes);
  it('reuses every stage when nothing changed, and only what depends on a changed overlay file', async () => {
    const home = await makeTestHome();
    const dir = copySample();
    const spec = loadSpec(dir).spec!;
    const cold = await runBuild({ home, spec, flavour: 'small' });
    expect(cold.stages.filter((s) => s.cacheHit)).toEqual([]);

    const t0 = performance.now();
    const warm = await runBuild({ home, spec, flavour: 'small' });
    const warmMs = performance.now() - t0;
    const hits = Object.fromEntries(warm.stages.map((s) => [s.name, s.cacheHit]));
    expect(hits).toMatchObject({ base: true, rootfs: true, 'os-disk': true, 'data-disk': true, exports: true, ova: true });
    expect(warm.buildDir).not.toBe(cold.buildDir);
    expect(warm.artifacts.map((a) => a.sha256)).toEqual(cold.artifacts.map((a) => a.sha256));
    // Nothing is copied: the build folders share the cache's read-only files (disks included),
    // and a copy taken to boot from is writable again.
    const rawOf = (b: typeof cold, disk: string) => b.artifacts.find((a) => a.format === 'raw' && a.disk === disk)!.path;
    for (const disk of ['os', 'data']) {
      expect(fs.statSync(rawOf(warm, disk)).ino).toBe(fs.statSync(rawOf(cold, disk)).ino);
      expect(fs.statSync(rawOf(warm, disk)).mode & 0o777).toBe(0o444);
    }
    const copy = path.join(home, 'data-copy.raw');
    await cpSparse(rawOf(warm, 'data'), copy);
    expect(fs.statSync(copy).mode & 0o200).toBe(0o200);

    fs.writeFileSync(path.join(dir, 'rootfs/srv/www/index.html'), '<h1>hello, changed</h1>\n');
    const t1 = performance.now();
    const changed = await runBuild({ home, spec: loadSpec(dir).spec!, flavour: 'small' });
    const changedMs = performance.now() - t1;
    const hit2 = Object.fromEntries(changed.stages.map((s) => [s.name, s.cacheHit]));
    expect(hit2).toMatchObject({ base: true, rootfs: false, 'os-disk': false, 'data-disk': true, ova: false });
    const sha = (b: typeof cold, rel: string) => b.artifacts.find((a) => path.relative(b.buildDir, a.path) === rel)!.sha256;
    expect(sha(changed, 'os.raw')).not.toBe(sha(cold, 'os.raw'));
    expect(sha(changed, 'data.raw')).toBe(sha(cold, 'data.raw'));
    console.log(`timings: warm rebuild ${warmMs.toFixed(0)} ms (${JSON.stringify(warm.stages.map((s) => [s.name, s.durationMs]))}), one overlay file changed ${changedMs.toFixed(0)} ms`);
  });

  it('with noCache rebuilds everything and leaves the cache untouched', async () => {
    const home = await makeTestHome();
    const spec = loadSpec(SAMPLE).spec!;
    const r = await runBuild({ home, spec, outputs: ['raw'], flavour: 'small', noCache: true });
    expect(r.stages.some((s) => s.cacheHit)).toBe(false);
    expect(fs.existsSync(path.join(home, 'cache', 'stages')) ? fs.readdirSync(path.join(home, 'cache', 'stages')) : []).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'tmp'))).toEqual([]);
  });
});
