// "What a refresh would change", against Debian's real archive: the sample's lock with one version
// made older and one package the archive never had; nothing is built and the lock is left as it was.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import { readLock } from '../../../src-main/build/bases/debian-lock';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { debianSample } from './debian-harness';

describe('debian.refreshPreview (real archive)', () => {
  afterAll(() => removeTestHomes());

  it('lists the locked packages whose archive version differs or is gone, leaving appliance.lock alone', async () => {
    const app = debianSample();
    const lockFile = path.join(app, 'appliance.lock');
    const text = fs
      .readFileSync(lockFile, 'utf8')
      .replace(/^( {2}- \{ name: sqlite3, version: ")[^"]+(")/m, '$10.1-1$2')
      .replace(/^(packages:\n)/m, `$1  - { name: yoke-no-such-package, version: "1.0-1", arch: amd64, sha256: ${'0'.repeat(64)} }\n`);
    fs.writeFileSync(lockFile, text);
    const lock = readLock(lockFile)!;
    const engine = new Engine({ home: await makeTestHome('yoke-debian-refresh-'), face: 'cli' });
    try {
      const p = await engine.request('debian.refreshPreview', { dir: app });
      expect(p.release).toBe('bookworm');
      expect(p.locked).toBe(lock.packages.length);
      expect(p.changes).toContainEqual({ name: 'sqlite3', change: 'upgraded', versionA: '0.1-1', versionB: expect.stringMatching(/^3\.40\./) });
      expect(p.changes).toContainEqual({ name: 'yoke-no-such-package', change: 'removed', versionA: '1.0-1', versionB: null });
      // Everything reported changed really differs from the lock; the rest is counted unchanged.
      const locked = new Map(lock.packages.map((x) => [x.name, x.version]));
      for (const c of p.changes) expect(c.versionA).toBe(locked.get(c.name));
      expect(p.unchanged + p.changes.length).toBe(lock.packages.length);
      expect(fs.readFileSync(lockFile, 'utf8')).toBe(text);
    } finally {
      await engine.close();
    }
  }, 300_000);

  it('says what to do for a folder without a lock', async () => {
    const app = debianSample();
    fs.rmSync(path.join(app, 'appliance.lock'));
    const engine = new Engine({ home: await makeTestHome('yoke-debian-refresh-none-'), face: 'cli' });
    try {
      await expect(engine.request('debian.refreshPreview', { dir: app })).rejects.toThrow(/appliance\.lock does not exist yet: the first build writes it/);
    } finally {
      await engine.close();
    }
  });
});
