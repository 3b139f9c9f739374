// Compare on two real Debian builds of the sample, the second with one small package (hello)
// added to base.packages: the rootfs file list is the erofs root in each OS disk's root-a
// partition (thousands of files), not the stage-1 initramfs (~300), so the package's files show.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import { ROOTFS_FILES, ROOTFS_FILES_ON_DISK } from '../../../src-main/api/rootfs-files';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { debianSample, yokeAs } from './debian-harness';

const MIN = 60_000;

function builtId(stdout: string): { id: number; dir: string } {
  const doc = JSON.parse(stdout) as { build: { id: number; artifacts: { disk?: string; format: string; path: string }[] } };
  const os = doc.build.artifacts.find((a) => a.disk === 'os' && a.format === 'raw')!;
  return { id: doc.build.id, dir: path.dirname(os.path) };
}

describe('Compare, two Debian builds (real mmdebstrap, real erofs)', () => {
  afterAll(() => removeTestHomes());

  it('lists the files the added package brought (/usr/bin/hello) among thousands in the root partition', async () => {
    const home = await makeTestHome('yoke-debian-compare-');
    const app = debianSample();
    const first = await yokeAs(['build', app, '--json'], home);
    expect(first.code, first.stderr).toBe(0);
    const yaml = path.join(app, 'appliance.yaml');
    fs.writeFileSync(yaml, fs.readFileSync(yaml, 'utf8').replace('packages: [nginx, sqlite3]', 'packages: [nginx, sqlite3, hello]'));
    const second = await yokeAs(['build', app, '--json'], home);
    expect(second.code, second.stderr).toBe(0);
    const [a, b] = [builtId(first.stdout), builtId(second.stdout)];
    // What Compare said before it read the root partition: the initramfs's list, cached. It must not be believed.
    const stale = [{ path: 'init', type: 'file', mode: 0o755, bytes: 4803, sha256: '0'.repeat(64) }];
    fs.writeFileSync(path.join(a.dir, ROOTFS_FILES), JSON.stringify(stale));

    const engine = new Engine({ home, face: 'cli' });
    try {
      const c = await engine.request('builds.compare', { a: a.id, b: b.id });
      expect(c.a.rootfsError).toBeUndefined();
      expect(c.b.rootfsError).toBeUndefined();
      expect(c.packages?.changes.find((p) => p.name === 'hello')?.change).toBe('added');
      const change = (p: string) => c.files.find((f) => f.path === p);
      expect(change('usr/bin/hello')).toEqual({ path: 'usr/bin/hello', change: 'added', bytesA: null, bytesB: expect.any(Number) });
      expect(change('var/lib/dpkg/info/hello.list')?.change).toBe('added');
      expect(change('var/lib/dpkg/status')?.change).toBe('changed');
      // Adding a package removes nothing, and the rest of the root is identical.
      expect(c.files.filter((f) => f.change === 'removed')).toEqual([]);
      expect(c.unchangedFiles).toBeGreaterThan(2000);
      // The root partition's files and bytes (nginx, sqlite3, perl-base...), not the initramfs's ~300 files, ~1 MB.
      for (const s of [c.a, c.b]) {
        expect(s.rootfsFiles).toBeGreaterThan(2000);
        expect(s.rootfsBytes).toBeGreaterThan(40 * 1024 * 1024);
        expect(s.dirs.find((d) => d.path === 'usr/lib')?.bytes).toBeGreaterThan(10 * 1024 * 1024);
      }
      expect(c.b.rootfsFiles).toBe(c.a.rootfsFiles + c.files.filter((f) => f.change === 'added').length);
      // Cached beside each build under the new name.
      for (const d of [a.dir, b.dir]) expect(JSON.parse(fs.readFileSync(path.join(d, ROOTFS_FILES_ON_DISK), 'utf8')).length).toBeGreaterThan(2000);
    } finally {
      await engine.close();
    }
  }, 25 * MIN);
});
