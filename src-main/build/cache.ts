import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hashFile } from './hash';
import { syncDir, syncTree } from './durable';

/*
 * The stage cache: each stage's output files live under the hash of its exact inputs in
 * <home>/cache/stages/<hash>/. An entry appears only complete (built in a temp dir, then renamed),
 * so a crash or Ctrl-C never leaves half an entry; the least recently used entries go first when
 * the cache grows past its limit.
 */

export interface CachedFile {
  name: string;
  bytes: number;
  sha256: string;
  /** Build dirs hard-link these files; a write through such a link changes the mtime and voids the entry. */
  mtimeMs: number;
}

export interface CacheEntry {
  key: string;
  dir: string;
  files: CachedFile[];
  /** Whatever the stage wants back on a hit (e.g. its warnings). */
  meta: Record<string, unknown>;
}

export interface PutOptions {
  /** Stops hashing a big file when the build is cancelled. */
  signal?: AbortSignal;
}

export const DEFAULT_CACHE_LIMIT = 4 * 1024 ** 3;

/** A stable hash of JSON-like inputs (object keys sorted, so property order never matters). */
export function hashInputs(value: unknown): string {
  const canon = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(canon);
    if (v && typeof v === 'object' && !Buffer.isBuffer(v)) {
      return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]));
    }
    return v;
  };
  return crypto.createHash('sha256').update(JSON.stringify(canon(value))).digest('hex');
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Bytes a file really takes on disk (sparse disk images count only their data). */
function allocated(p: string): number {
  const st = fs.statSync(p);
  return Math.min(st.size, st.blocks * 512);
}

export class StageCache {
  readonly root: string;
  /** Entries this instance made (a build that added none needs no eviction pass). */
  added = 0;

  /** YOKE_NO_FSYNC=1 skips the syncs (benchmarks of the cost only; never in normal use). */
  private readonly noSync = process.env.YOKE_NO_FSYNC === '1';

  constructor(home: string, readonly limitBytes = DEFAULT_CACHE_LIMIT) {
    this.root = path.join(home, 'cache', 'stages');
    fs.mkdirSync(this.root, { recursive: true });
    this.sweepTemps();
  }

  /** Temp dirs of builds that died (their pid is gone) are half entries: remove them. */
  private sweepTemps(): void {
    for (const n of fs.readdirSync(this.root)) {
      const m = /^\.tmp-(\d+)-/.exec(n);
      if (m && !pidAlive(Number(m[1]))) fs.rmSync(path.join(this.root, n), { recursive: true, force: true });
    }
  }

  private metaFile(key: string): string {
    return path.join(this.root, key, 'entry.json');
  }

  get(key: string): CacheEntry | null {
    const mf = this.metaFile(key);
    let entry: CacheEntry;
    try {
      entry = JSON.parse(fs.readFileSync(mf, 'utf8')) as CacheEntry;
    } catch {
      return null;
    }
    const dir = path.join(this.root, key);
    for (const f of entry.files) {
      // A file changed or removed behind our back makes the entry useless; rebuild it.
      try {
        const st = fs.statSync(path.join(dir, f.name));
        if (st.size !== f.bytes || st.mtimeMs !== f.mtimeMs) return this.drop(key);
      } catch {
        return this.drop(key);
      }
    }
    const now = new Date();
    fs.utimesSync(mf, now, now);
    return { ...entry, key, dir };
  }

  private drop(key: string): null {
    fs.rmSync(path.join(this.root, key), { recursive: true, force: true });
    return null;
  }

  /**
   * Builds an entry: `fill` writes its files into a fresh temp dir and returns its meta; the dir is
   * then hashed and renamed into place. On failure or cancel the temp dir is removed.
   */
  async put(key: string, fill: (tmp: string) => Promise<Record<string, unknown> | void>, opts: PutOptions = {}): Promise<CacheEntry> {
    const { signal } = opts;
    const tmp = fs.mkdtempSync(path.join(this.root, `.tmp-${process.pid}-`));
    try {
      const meta = (await fill(tmp)) ?? {};
      // Hashed without blocking the event loop: other stages keep starting tools meanwhile.
      const files: CachedFile[] = await Promise.all(
        fs
          .readdirSync(tmp)
          .sort()
          .map(async (name) => {
            const p = path.join(tmp, name);
            const st = fs.statSync(p);
            return { name, bytes: st.size, sha256: await hashFile(p, signal), mtimeMs: st.mtimeMs };
          }),
      );
      const entry: CacheEntry = { key, dir: '', files, meta };
      fs.writeFileSync(path.join(tmp, 'entry.json'), JSON.stringify({ key, files, meta }));
      if (!this.noSync) await syncTree(tmp); // the data is on disk before the name says "complete"
      const dest = path.join(this.root, key);
      try {
        fs.renameSync(tmp, dest);
        if (!this.noSync) await syncDir(this.root);
        this.added++;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // Another build made the same entry meanwhile: identical inputs, so theirs is as good.
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
        fs.rmSync(tmp, { recursive: true, force: true });
        const theirs = this.get(key);
        if (theirs) return theirs;
        throw e;
      }
      return { ...entry, dir: dest };
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Removes least recently used entries until the cache fits `limitBytes`; returns the keys removed. */
  evict(limitBytes = this.limitBytes, keep: Set<string> = new Set()): string[] {
    const entries: { key: string; used: number; bytes: number }[] = [];
    for (const key of fs.readdirSync(this.root)) {
      if (key.startsWith('.')) continue;
      const dir = path.join(this.root, key);
      try {
        const used = fs.statSync(path.join(dir, 'entry.json')).mtimeMs;
        const bytes = fs.readdirSync(dir).reduce((n, f) => n + allocated(path.join(dir, f)), 0);
        entries.push({ key, used, bytes });
      } catch {
        // No entry.json: not a finished entry; leave it to whoever is writing it.
      }
    }
    let total = entries.reduce((n, e) => n + e.bytes, 0);
    const removed: string[] = [];
    for (const e of entries.sort((a, b) => a.used - b.used)) {
      if (total <= limitBytes) break;
      if (keep.has(e.key)) continue;
      fs.rmSync(path.join(this.root, e.key), { recursive: true, force: true });
      total -= e.bytes;
      removed.push(e.key);
    }
    return removed;
  }

  sizeBytes(): number {
    let total = 0;
    for (const key of fs.readdirSync(this.root)) {
      if (key.startsWith('.')) continue;
      const dir = path.join(this.root, key);
      for (const f of fs.readdirSync(dir)) total += allocated(path.join(dir, f));
    }
    return total;
  }
}

