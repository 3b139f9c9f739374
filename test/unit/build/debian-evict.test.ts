// cache/debian is evicted like the stage cache (least recently used first, down to a limit),
// but never the packages a released build was installed from: the archive drops superseded
// versions, so they may exist nowhere else. Real files in a real data directory, a real store.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { evictDebianCache } from '../../../src-main/build/bases/debian-evict';
import { debianCacheDir, formatLock, parseLock, type DebianLock } from '../../../src-main/build/bases/debian-lock';
import { mirrorFor } from '../../../src-main/build/bases/debian-mirror';
import { releasedDebianLocks } from '../../../src-main/jobs/releases';
import { openStore } from '../../../src-main/store/store';

const homes: string[] = [];
afterEach(() => {
  for (const h of homes.splice(0)) fs.rmSync(h, { recursive: true, force: true });
});

/** A .deb-sized file per package, stored by its sha256 as the keeper stores it. */
function pkg(home: string, name: string, version: string, kb = 256): { name: string; version: string; arch: string; sha256: string } {
  const body = crypto.createHash('sha512').update(`${name} ${version}`).digest();
  const data = Buffer.alloc(kb * 1024);
  for (let i = 0; i < data.length; i += body.length) body.copy(data, i);
  const sha256 = crypto.createHash('sha256').update(data).digest('hex');
  const debs = path.join(debianCacheDir(home), 'debs');
  fs.mkdirSync(debs, { recursive: true });
  fs.writeFileSync(path.join(debs, `${sha256}.deb`), data);
  return { name, version, arch: 'amd64', sha256 };
}

/** A kept mirror for a lock: index files, pool links into the store, pool.json; used `ageS` seconds ago. */
function mirror(home: string, packages: ReturnType<typeof pkg>[], ageS: number): DebianLock {
  const text = formatLock({ release: 'bookworm', requested: packages.map((p) => p.name), indexes: [{ name: `x_${ageS}_InRelease`, sha256: 'a'.repeat(64) }], packages, digest: '' });
  const lock = parseLock(text, 'appliance.lock');
  const dir = path.join(debianCacheDir(home), 'mirrors', lock.digest.slice(0, 24));
  const origin = path.join(dir, 'deb.debian.org_debian');
  fs.mkdirSync(path.join(origin, 'dists', 'bookworm'), { recursive: true });
  fs.writeFileSync(path.join(origin, 'dists', 'bookworm', 'InRelease'), Buffer.alloc(64 * 1024, 1));
  const pool: Record<string, string[]> = {};
  for (const p of packages) {
    const rel = path.join('deb.debian.org_debian', 'pool', 'main', p.name[0], p.name, `${p.name}_${p.version}_amd64.deb`);
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.linkSync(path.join(debianCacheDir(home), 'debs', `${p.sha256}.deb`), path.join(dir, rel));
    pool[p.sha256] = [rel];
  }
  fs.writeFileSync(path.join(dir, 'pool.json'), JSON.stringify(pool));
  const t = new Date(Date.now() - ageS * 1000);
  fs.utimesSync(path.join(dir, 'pool.json'), t, t);
  return lock;
}

const kept = (home: string, p: { sha256: string }) => fs.existsSync(path.join(debianCacheDir(home), 'debs', `${p.sha256}.deb`));

describe('cache/debian eviction', () => {
  it('drops the least recently used mirror and its packages, never a released build’s, and keeps that build offline-buildable', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-debian-evict-'));
    homes.push(home);
    // The released build (oldest of all) shares libc with the unreleased one.
    const libc = pkg(home, 'libc6', '2.36-9+deb12u1');
    const nginxOld = pkg(home, 'nginx', '1.22.1-9');
    const nginxNew = pkg(home, 'nginx', '1.22.1-9+deb12u1');
    const curl = pkg(home, 'curl', '7.88.1-10');
    const sqlite = pkg(home, 'sqlite3', '3.40.1-2');
    const released = mirror(home, [libc, nginxOld], 3000);
    const unreleased = mirror(home, [libc, nginxNew, curl], 2000);
    const current = mirror(home, [libc, sqlite], 10);
    const orphan = pkg(home, 'orphan', '1'); // kept once, its mirror gone
    fs.writeFileSync(path.join(debianCacheDir(home), 'debs', `${'f'.repeat(64)}.deb.tmp-999999999`), 'half');

    const store = openStore(home);
    try {
      for (const [lock, isReleased, version] of [[released, true, '1.0.0'], [unreleased, false, '1.1.0']] as const) {
        const buildDir = path.join(home, 'builds', 'web', version);
        fs.mkdirSync(buildDir, { recursive: true });
        fs.writeFileSync(path.join(buildDir, 'appliance.lock'), formatLock(lock));
        const id = store.createBuild({ appliance: 'web', dir: path.join(home, 'app'), version, buildDir });
        store.finishBuild(id, { status: 'succeeded', durationMs: 1, bytes: 1, inputsHash: version });
        if (isReleased) store.setReleased(id, true);
      }
      const keep = [...releasedDebianLocks(store), current];
      expect(keep.map((l) => l.digest)).toEqual([released.digest, current.digest]);

      // Room for everything: nothing but the dead keeper's half link goes.
      expect(evictDebianCache(home, { limitBytes: 64 * 1024 ** 2, keep })).toMatchObject({ mirrors: [], debs: [] });
      expect(fs.readdirSync(path.join(debianCacheDir(home), 'debs')).filter((n) => n.includes('.tmp-'))).toEqual([]);

      // A limit nothing fits: all that may go goes, oldest first; released and current stay whole.
      const ev = evictDebianCache(home, { limitBytes: 1, keep });
      expect(ev.mirrors).toEqual([unreleased.digest.slice(0, 24)]);
      expect(new Set(ev.debs)).toEqual(new Set([orphan.sha256, nginxNew.sha256, curl.sha256]));
      for (const p of [libc, nginxOld, sqlite]) expect(kept(home, p)).toBe(true);
      for (const p of [nginxNew, curl, orphan]) expect(kept(home, p)).toBe(false);
      expect(mirrorFor(home, released).ok).toBe(true);
      expect(mirrorFor(home, current).ok).toBe(true);
      const lacks = mirrorFor(home, unreleased);
      expect(lacks.ok).toBe(false);
      expect(lacks.ok ? [] : lacks.missing.map((p) => p.name).sort()).toEqual(['curl', 'nginx']);
      expect(ev.bytes).toBeGreaterThan(3 * 256 * 1024);

      // Unreleasing makes the old build's packages evictable too.
      store.setReleased(store.listBuilds().find((b) => b.version === '1.0.0')!.id, false);
      const ev2 = evictDebianCache(home, { limitBytes: 1, keep: [...releasedDebianLocks(store), current] });
      expect(ev2.mirrors).toEqual([released.digest.slice(0, 24)]);
      expect(ev2.debs).toEqual([nginxOld.sha256]);
      expect(kept(home, libc)).toBe(true);
    } finally {
      store.close();
    }
  });
});
