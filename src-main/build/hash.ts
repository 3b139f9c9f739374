import crypto from 'node:crypto';
import fs from 'node:fs';
import { CancelledError } from '../tools/run';
import { qemuImgMap } from '../tools/qemu-img';
import { hashInWorker } from './hash-worker';

/*
 * SHA-256 of build files without stalling the build. Files up to BIG are read in chunks with the
 * next read already in flight while the current chunk is hashed, handing the event loop back
 * between chunks; bigger ones (a 1 GiB flavour data disk) go to a worker thread, so they hash on
 * a core of their own while the build goes on. Only a few 1 MiB chunks are alive at a time.
 *
 * Digests are remembered for the life of the process by file identity (device, inode, size,
 * mtime; not ctime, which linking and chmod change): a hard link, a file hashed twice, or a file
 * whose digest was computed while it was written is never read again. Across processes nothing
 * is remembered; content decides.
 */

const CHUNK = 1 << 20;
const BIG = 128 << 20;
const SPARSE_MIN = 16 << 20;
const ZEROS = Buffer.alloc(CHUNK);
const known = new Map<string, string>();
const pending = new Map<string, Promise<string>>();
/** SHA-256 state after a whole file (files up to BIG), for a file that is that file plus a trailer. */
const states = new Map<string, crypto.Hash>();

/*
 * 1 MiB buffers are reused rather than left to the garbage collector: a build hashes and copies
 * dozens of files, and fresh buffers each time add up to tens of megabytes of peak memory.
 */
const pool: Buffer[] = [];

export function takeBuffer(): Buffer {
  return pool.pop() ?? Buffer.allocUnsafe(CHUNK);
}

export function giveBuffer(b: Buffer): void {
  if (pool.length < 8) pool.push(b);
}

/** A long-running engine builds many times; forgetting everything now and then bounds the memo. */
function remember(id: string, hex: string): void {
  if (known.size >= 100_000) known.clear();
  known.set(id, hex);
}

function identity(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

function aborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new CancelledError();
}

/** Hashes on the main thread, a chunk at a time, the next read in flight; holes are hashed, not read. */
async function digest(file: string, id: string, size: number, holes: [number, number][], signal?: AbortSignal): Promise<string> {
  const h = crypto.createHash('sha256');
  const fh = await fs.promises.open(file, 'r');
  try {
    // The ranges to hash in order: [start, end, zero?], cut into chunks.
    const pieces: [number, number, boolean][] = [];
    let pos = 0;
    const span = (end: number, zero: boolean) => {
      for (; pos < end; pos = Math.min(end, pos + CHUNK)) pieces.push([pos, Math.min(end, pos + CHUNK), zero]);
    };
    for (const [start, end] of holes) {
      span(start, false);
      span(end, true);
    }
    span(size, false);
    const bufs = [takeBuffer(), takeBuffer()];
    const read = (i: number) => {
      const p = pieces[i];
      if (!p || p[2]) return Promise.resolve(null);
      return fh.read(bufs[i & 1], 0, p[1] - p[0], p[0]);
    };
    let next = read(0);
    for (let i = 0; i < pieces.length; i++) {
      const r = await next;
      aborted(signal);
      const [start, end, zero] = pieces[i];
      if (!zero && r?.bytesRead !== end - start) throw new Error(`${file} changed while it was being hashed; build again.`);
      next = read(i + 1);
      h.update(zero ? ZEROS.subarray(0, end - start) : bufs[i & 1].subarray(0, end - start));
    }
    // Only once no read is in flight may the buffers serve someone else.
    await next;
    bufs.forEach(giveBuffer);
  } finally {
    await fh.close();
  }
  if (states.size >= 64) states.clear();
  states.set(id, h.copy());
  return h.digest('hex');
}

/**
 * Disk images are mostly holes, and reading a hole costs nearly as much as hashing it: ask where
 * the holes are (qemu-img map uses SEEK_HOLE) and hash those as zeros without reading them.
 * Without qemu-img (or a trustworthy answer) the whole file is read.
 */
async function holesOf(file: string, size: number, signal?: AbortSignal): Promise<[number, number][]> {
  try {
    const map = await qemuImgMap(file, { signal });
    const holes = map.filter((e) => e.zero && e.start + e.length <= size).map((e): [number, number] => [e.start, e.start + e.length]);
    return holes.some(([s, e], i) => e <= s || (i > 0 && s < holes[i - 1][1])) ? [] : holes;
  } catch (e) {
    if (signal?.aborted) throw e;
    return [];
  }
}

async function hashAny(file: string, id: string, st: fs.Stats, signal?: AbortSignal): Promise<string> {
  // A file with fewer blocks than its size has holes worth asking about (past a spawn's cost).
  const sparse = st.size >= SPARSE_MIN && st.blocks * 512 < st.size - SPARSE_MIN / 2;
  const holes = sparse ? await holesOf(file, st.size, signal) : [];
  return st.size >= BIG ? hashInWorker(file, st.size, holes, signal) : digest(file, id, st.size, holes, signal);
}

/** The file's SHA-256 (hex); the same file (same identity) is hashed once per process. */
export function hashFile(file: string, signal?: AbortSignal): Promise<string> {
  const st = fs.statSync(file);
  const id = identity(st);
  const hex = known.get(id);
  if (hex) return Promise.resolve(hex);
  let p = pending.get(id);
  if (!p) {
    p = hashAny(file, id, st, signal).then(
      (d) => {
        remember(id, d);
        pending.delete(id);
        return d;
      },
      (e) => {
        pending.delete(id);
        throw e;
      },
    );
    pending.set(id, p);
  }
  return p;
}

/** Records a digest computed while the file was written (the caller vouches for it). */
export function rememberHash(file: string, sha256: string): void {
  remember(identity(fs.statSync(file)), sha256);
}

/**
 * The digest of `file` when it is known to be `prefix`'s bytes followed by a trailer (a fixed VHD
 * is the raw disk plus a 512-byte footer): only the trailer is read. Null when the prefix's state
 * is not kept (big files hash in the worker); then hash the whole file.
 */
export async function hashWithPrefix(file: string, prefix: string, signal?: AbortSignal): Promise<string | null> {
  // The prefix may still be hashing (or never was): wait for, or make, its digest and state.
  await hashFile(prefix, signal);
  const ps = fs.statSync(prefix);
  const state = states.get(identity(ps));
  const size = fs.statSync(file).size;
  if (!state || size < ps.size) return null;
  const h = state.copy();
  const fd = fs.openSync(file, 'r');
  try {
    const tail = Buffer.alloc(size - ps.size);
    if (tail.length && fs.readSync(fd, tail, 0, tail.length, ps.size) !== tail.length) return null;
    h.update(tail);
  } finally {
    fs.closeSync(fd);
  }
  const hex = h.digest('hex');
  rememberHash(file, hex);
  return hex;
}

/** Small files only (overlay files, scripts): synchronous, with the same memo when already known. */
export function hashFileSync(file: string): string {
  const st = fs.statSync(file);
  const id = identity(st);
  const seen = known.get(id);
  if (seen) return seen;
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buf = takeBuffer();
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
    giveBuffer(buf);
  }
  const hex = h.digest('hex');
  remember(id, hex);
  return hex;
}

/** A file written and hashed in one pass; close() returns the digest and remembers it. */
export function hashingWriter(file: string): { write(b: Buffer): void; close(): string; abort(): void } {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w');
  let open = true;
  const shut = () => {
    if (open) fs.closeSync(fd);
    open = false;
  };
  return {
    write(b) {
      fs.writeSync(fd, b);
      h.update(b);
    },
    close() {
      shut();
      const hex = h.digest('hex');
      rememberHash(file, hex);
      return hex;
    },
    abort: shut,
  };
}
