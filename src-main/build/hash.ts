import crypto from 'node:crypto';
import fs from 'node:fs';

/*
 * SHA-256 of build files without stalling the build. A file is read in big chunks with the next
 * read already in flight (libuv's thread pool) while the current chunk is hashed, and the event
 * loop gets control back between chunks: while a 1 GiB data disk hashes on one core, the next
 * tool starts on the other. Only a few chunks are alive at a time, so memory stays flat.
 *
 * Digests are remembered for the life of the process by file identity (device, inode, size,
 * mtime; not ctime, which linking and chmod change): a hard link, a file hashed twice, or a file
 * whose digest was computed while it was written is never read again. Across processes nothing
 * is remembered; content decides.
 */

const CHUNK = 4 << 20;
const known = new Map<string, string>();
const pending = new Map<string, Promise<string>>();

/** A long-running engine builds many times; forgetting everything now and then bounds the memo. */
function remember(id: string, hex: string): void {
  if (known.size >= 100_000) known.clear();
  known.set(id, hex);
}

function identity(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
}

async function digest(file: string, size: number): Promise<string> {
  const h = crypto.createHash('sha256');
  const fh = await fs.promises.open(file, 'r');
  try {
    const bufs = [Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, size))), Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, size)))];
    let which = 0;
    let pending = fh.read(bufs[0], 0, bufs[0].length, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const cur = bufs[which];
      which ^= 1;
      pending = fh.read(bufs[which], 0, bufs[which].length, null);
      h.update(cur.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return h.digest('hex');
}

/** The file's SHA-256 (hex); the same file (same identity) is hashed once per process. */
export function hashFile(file: string): Promise<string> {
  const st = fs.statSync(file);
  const id = identity(st);
  const hex = known.get(id);
  if (hex) return Promise.resolve(hex);
  let p = pending.get(id);
  if (!p) {
    p = digest(file, st.size).then(
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

/** A writable file stream that also hashes what goes through it. */
export function hashingWriter(file: string): { write(b: Buffer): void; close(): string } {
  const h = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'w');
  let closed = false;
  return {
    write(b) {
      fs.writeSync(fd, b);
      h.update(b);
    },
    close() {
      if (!closed) fs.closeSync(fd);
      closed = true;
      const hex = h.digest('hex');
      rememberHash(file, hex);
      return hex;
    },
  };
}
