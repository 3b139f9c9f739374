// Keeping cache/debian within a size like the stage cache: the least recently used mirrors go
// first, and with them the .debs no remaining mirror links — except what a released build was
// installed from. The archive drops superseded versions, so a released build's packages may
// exist nowhere else: they are never evicted, whatever the limit.
import fs from 'node:fs';
import path from 'node:path';
import { debianCacheDir, type DebianLock } from './debian-lock';
import { pidAlive } from '../sweep';

export const DEFAULT_DEBIAN_CACHE_LIMIT = 2 * 1024 ** 3;

export interface DebianEviction {
  mirrors: string[];
  debs: string[];
  /** Bytes the cache holds afterwards (more than the limit when released builds need more). */
  bytes: number;
}

/** Bytes a file really takes on disk. */
function allocated(p: string): number {
  try {
    const st = fs.statSync(p);
    return Math.min(st.size, st.blocks * 512);
  } catch {
    return 0;
  }
}

/** The index files a mirror holds of its own (its pool entries are links to the store, counted there). */
function indexBytes(dir: string): number {
  let n = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'pool') walk(p);
      } else n += allocated(p);
    }
  };
  try {
    walk(dir);
  } catch {
    // removed meanwhile
  }
  return n;
}

/** `name.tmp-<pid>` leftovers of a keeper that died (a half mirror, a store link not renamed yet). */
function deadTemp(name: string): boolean {
  const m = /\.tmp-(\d+)$/.exec(name);
  return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
}

/**
 * Evicts least recently used mirrors (a mirror is used when a build reads it: its pool.json is
 * touched) and the .debs left unlinked by the remaining ones, until the cache fits `limitBytes`.
 * `keep`: the locks of released builds and of the build just made — their mirrors and packages stay.
 */
export function evictDebianCache(home: string, o: { limitBytes?: number; keep: DebianLock[] }): DebianEviction {
  const root = debianCacheDir(home);
  const debsDir = path.join(root, 'debs');
  const mirrorsDir = path.join(root, 'mirrors');
  const out: DebianEviction = { mirrors: [], debs: [], bytes: 0 };
  const list = (d: string) => {
    try {
      return fs.readdirSync(d);
    } catch {
      return [];
    }
  };
  for (const n of list(mirrorsDir)) if (deadTemp(n)) fs.rmSync(path.join(mirrorsDir, n), { recursive: true, force: true });
  for (const n of list(debsDir)) if (deadTemp(n)) fs.rmSync(path.join(debsDir, n), { force: true });

  const keptShas = new Set(o.keep.flatMap((l) => l.packages.map((p) => p.sha256)));
  const keptMirrors = new Set(o.keep.map((l) => l.digest.slice(0, 24)));
  const mirrors = list(mirrorsDir)
    .filter((n) => !n.includes('.tmp-'))
    .map((name) => {
      const dir = path.join(mirrorsDir, name);
      let shas: string[] = [];
      let used = 0;
      try {
        shas = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, 'pool.json'), 'utf8')));
        used = fs.statSync(path.join(dir, 'pool.json')).mtimeMs;
      } catch {
        // No pool.json: an incomplete mirror, oldest of all.
      }
      return { name, dir, shas, used, bytes: indexBytes(dir) };
    });
  const debs = new Map(list(debsDir).filter((n) => n.endsWith('.deb')).map((n) => [n.slice(0, -4), allocated(path.join(debsDir, n))]));
  const linked = new Map<string, number>();
  for (const m of mirrors) for (const s of m.shas) linked.set(s, (linked.get(s) ?? 0) + 1);

  let total = mirrors.reduce((n, m) => n + m.bytes, 0) + [...debs.values()].reduce((a, b) => a + b, 0);
  const limit = o.limitBytes ?? DEFAULT_DEBIAN_CACHE_LIMIT;
  const dropDeb = (sha: string) => {
    if (keptShas.has(sha) || (linked.get(sha) ?? 0) > 0 || !debs.has(sha)) return;
    fs.rmSync(path.join(debsDir, `${sha}.deb`), { force: true });
    total -= debs.get(sha)!;
    debs.delete(sha);
    out.debs.push(sha);
  };
  // Packages no mirror links (a kept download whose mirror is gone) are the least useful.
  for (const sha of [...debs.keys()]) if (total > limit) dropDeb(sha);
  for (const m of mirrors.sort((a, b) => a.used - b.used)) {
    if (total <= limit) break;
    if (keptMirrors.has(m.name)) continue;
    fs.rmSync(m.dir, { recursive: true, force: true });
    total -= m.bytes;
    out.mirrors.push(m.name);
    for (const s of m.shas) linked.set(s, linked.get(s)! - 1);
    for (const s of m.shas) dropDeb(s);
  }
  out.bytes = total;
  return out;
}
