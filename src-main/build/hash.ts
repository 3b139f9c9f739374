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
const known = new Map<string, string>();
const pending = new Map<string, Promise<string>>();
/** SHA-256 state after a whole file (files up to BIG), for a file that is that file plus a trailer. */
const states = new Map<string, crypto.Hash>();

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

async function digest(file: string, id: string, signal?: AbortSignal): Promise<string> {
  const h = crypto.createHash('sha256');
  const fh = await fs.promises.open(file, 'r');
  try {
    const bufs = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
    let which = 0;
    let next = fh.read(bufs[0], 0, CHUNK, null);
    for (;;) {
      const { bytesRead } = await next;
      if (bytesRead === 0) break;
      aborted(signal);
      const cur = bufs[which];
      which ^= 1;
      next = fh.read(bufs[which], 0, CHUNK, null);
      h.update(cur.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  if (states.size >= 64) states.clear();
  states.set(id, h.copy());
  return h.digest('hex');
}

/**
 * Big disk images are mostly holes, and reading a hole costs nearly as much as hashing it: ask
 * where the holes are (qemu-img map uses SEEK_HOLE) and hash those as zeros without reading.
 */
async function bigDigest(file: string, size: number, signal?: AbortSignal): Promise<string> {
  let holes: [number, number][] = [];
  try {
    const map = await qemuImgMap(file, { signal });
    holes = map.filter((e) => e.zero && e.start + e.length <= size).map((e) => [e.start, e.start + e.length]);
    // Only a clean, ordered, non-overlapping list is trusted; anything else means reading it all.
    if (holes.some(([s, e], i) => e <= s || (i > 0 && s < holes[i - 1][1]))) holes = [];
  } catch (e) {
    if (signal?.aborted) throw e;
  }
  return hashInWorker(file, size, holes, signal);
}

/** The file's SHA-256 (hex); the same file (same identity) is hashed once per process. */
export function hashFile(file: string, signal?: AbortSignal): Promise<string> {
  const st = fs.statSync(file);
  const id = identity(st);
  const hex = known.get(id);
  if (hex) return Promise.resolve(hex);
  let p = pending.get(id);
  if (!p) {
    p = (st.size >= BIG ? bigDigest(file, st.size, signal) : digest(file, id, signal)).then(
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
 * is the raw disk plus a 512-byte footer): only the trailer is read, if `prefix` was hashed in
 * this process. Null when that state is gone; then hash the whole file.
 */
export function hashWithPrefix(file: string, prefix: string): string | null {
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
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, st.size)));
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
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
