// Yoke's own partial Debian mirror: every .deb a build installed (kept by content, never evicted:
// the archive drops superseded versions) and the exact index files its lock names, laid out as
// the archive does (dists/…, pool/… at the paths the Packages stanzas name). A build whose lock
// this mirror satisfies gives mmdebstrap copy:// sources and needs no network at all.
import fs from 'node:fs';
import path from 'node:path';
import type { AptSource } from '../../tools/mmdebstrap';
import { xzCat } from '../../tools/xz';
import { hashFileSync } from '../hash';
import { debianCacheDir, parseDebName, type DebianLock, type LockedPackage } from './debian-lock';
import { namesIn, writeNames } from './debian-names';

export { debianCacheDir };

/** apt's list file names: host and path with '/' as '_', then `_dists_<suite>_…`. */
export function listOrigin(uri: string): string {
  return uri.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '').replace(/\//g, '_');
}

/**
 * One mirror folder per lock: its pool holds exactly the lock's packages, its dists the index
 * files the install that kept them read (consistent with each other, signed by Debian).
 */
function mirrorDir(home: string, lockDigest: string): string {
  return path.join(debianCacheDir(home), 'mirrors', lockDigest.slice(0, 24));
}

const storePath = (home: string, sha256: string) => path.join(debianCacheDir(home), 'debs', `${sha256}.deb`);

/** Stanzas of a Packages file, reduced to what the mirror needs. */
export function parsePackages(text: string): Map<string, { filename: string; sha256: string }> {
  const out = new Map<string, { filename: string; sha256: string }>();
  for (const stanza of text.split('\n\n')) {
    const f = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(stanza)?.[1];
    const name = f('Package');
    const version = f('Version');
    const arch = f('Architecture');
    const filename = f('Filename');
    const sha256 = f('SHA256');
    if (name && version && arch && filename && sha256) out.set(`${name} ${version} ${arch}`, { filename, sha256 });
  }
  return out;
}

function link(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  try {
    fs.linkSync(from, to);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return;
    if (code !== 'EXDEV' && code !== 'EPERM') throw e;
    fs.copyFileSync(from, to);
  }
}

/**
 * Keeps what an online install fetched: its .debs in the store and the lock's index files and
 * pool links in the lock's mirror folder. Written into a temp folder renamed into place: a
 * cancelled build leaves no half mirror (the store's files appear by link, whole).
 */
export async function keepDownload(home: string, lockDigest: string, listsDir: string, debsDir: string, signal?: AbortSignal): Promise<void> {
  const dir = mirrorDir(home, lockDigest);
  const tmp = `${dir}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(path.join(debianCacheDir(home), 'debs'), { recursive: true });
  const pool: Record<string, string[]> = {};
  const byName = new Map<string, string>();
  for (const f of fs.readdirSync(debsDir)) {
    const p = parseDebName(f);
    if (!p) continue;
    const sha = hashFileSync(path.join(debsDir, f));
    const store = storePath(home, sha);
    if (!fs.existsSync(store)) {
      link(path.join(debsDir, f), `${store}.tmp-${process.pid}`);
      fs.renameSync(`${store}.tmp-${process.pid}`, store);
    }
    byName.set(`${p.name} ${p.version} ${p.arch}`, sha);
  }
  const names = new Set<string>();
  try {
    for (const name of fs.readdirSync(listsDir).filter((f) => /_(InRelease|Packages\.xz)$/.test(f))) {
      const at = name.indexOf('_dists_');
      if (at < 0) continue;
      const origin = name.slice(0, at);
      const rest = name.slice(at + '_dists_'.length).replace(/_/g, '/');
      link(path.join(listsDir, name), path.join(tmp, origin, 'dists', rest));
      if (!name.endsWith('Packages.xz')) continue;
      const text = await xzCat(path.join(listsDir, name), { signal });
      for (const n of namesIn([text])) names.add(n);
      for (const [key, st] of parsePackages(text)) {
        const sha = byName.get(key);
        if (!sha || sha !== st.sha256) continue;
        const rel = path.join(origin, st.filename);
        link(storePath(home, sha), path.join(tmp, rel));
        (pool[sha] ??= []).push(rel);
      }
    }
    fs.writeFileSync(path.join(tmp, 'pool.json'), JSON.stringify(pool));
    // The release's package names, for refusing a misspelled base.packages before a build starts.
    writeNames(tmp, names);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

export type MirrorState = { ok: true; dir: string } | { ok: false; missing: LockedPackage[] };

/** The lock's mirror, when Yoke's cache holds every index and package it names. */
export function mirrorFor(home: string, lock: DebianLock): MirrorState {
  const dir = mirrorDir(home, lock.digest);
  // What the store lacks is what a user must fetch; kept packages of another lock still count.
  const missing = lock.packages.filter((p) => !fs.existsSync(storePath(home, p.sha256)));
  if (missing.length) return { ok: false, missing };
  let pool: Record<string, string[]>;
  try {
    pool = JSON.parse(fs.readFileSync(path.join(dir, 'pool.json'), 'utf8'));
  } catch {
    // Every package is kept, but not the index files this lock was installed from.
    return { ok: false, missing: [] };
  }
  // Used now: the cache's eviction drops the least recently used mirrors first.
  const now = new Date();
  fs.utimesSync(path.join(dir, 'pool.json'), now, now);
  // A pool link removed by hand is made again from the store.
  for (const [sha, rels] of Object.entries(pool)) for (const r of rels) if (!fs.existsSync(path.join(dir, r))) link(storePath(home, sha), path.join(dir, r));
  return { ok: true, dir };
}

/**
 * The mirror as apt can read it: in unshare mode apt's root is a subordinate id, which cannot
 * enter a data directory private to its owner. A world-traversable temp folder of hard links
 * (copies across filesystems) of just this mirror; the caller removes it.
 */
export function stageMirror(dir: string, tmpRoot: string): string {
  const out = fs.mkdtempSync(path.join(tmpRoot, 'yoke-mirror-'));
  fs.chmodSync(out, 0o755);
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (e.isDirectory()) {
        fs.mkdirSync(path.join(out, r), { mode: 0o755 });
        fs.chmodSync(path.join(out, r), 0o755);
        walk(r);
      } else if (e.isFile()) {
        link(path.join(dir, r), path.join(out, r));
        fs.chmodSync(path.join(out, r), 0o644);
      }
    }
  };
  walk('');
  return out;
}

/** The same sources, read from the mirror folder (copy://: apt refuses file:// from inside the chroot). */
export function mirrorSources(dir: string, sources: AptSource[]): AptSource[] {
  return sources.map((s) => ({ ...s, uri: `copy://${path.join(dir, listOrigin(s.uri))}` }));
}
