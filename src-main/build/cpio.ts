import fsp from 'node:fs/promises';
import { giveBuffer, takeBuffer } from './hash';

/*
 * A small newc ("070701") writer instead of the cpio tool: entries come from several places (the
 * busybox binary, kernel modules, generated files, the overlay), most never exist as one host tree,
 * and writing them here guarantees what reproducibility needs — sorted names, inode numbers
 * counted from 1, uid/gid 0, one fixed mtime — with no host metadata able to leak in.
 */

export type CpioEntry =
  | { path: string; type: 'dir'; mode: number }
  | { path: string; type: 'file'; mode: number; data: Buffer }
  | { path: string; type: 'file'; mode: number; source: string; size: number }
  | { path: string; type: 'symlink'; target: string }
  /** Device nodes can be written into an archive without root: the kernel creates them when unpacking. */
  | { path: string; type: 'chardev'; mode: number; major: number; minor: number };

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

/** The largest file a newc archive can hold: its size field is 8 hex digits. */
export const NEWC_MAX_FILE_SIZE = 0xffffffff;

export class CpioLimitError extends Error {}

/** What to tell someone whose file does not fit, naming the file. */
export function tooBigForNewc(file: string, size: number): string {
  const gib = (size / 1024 ** 3).toFixed(1);
  return (
    `${file} is ${gib} GiB (${size} bytes); the image's root filesystem (a newc initramfs) holds files of at most 4 GiB - 1 byte. ` +
    'Add it to rootfs.exclude and put it on the data disk at run time, or split it into smaller files.'
  );
}

function hex8(n: number): string {
  // A ninth digit would shift every later field and silently lose the rest of the archive.
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new CpioLimitError(`a newc header field cannot hold ${n}`);
  return n.toString(16).padStart(8, '0');
}

function pad4(n: number): number {
  return (4 - (n % 4)) % 4;
}

/** Guest paths are relative ("bin/sh"), like the ones the kernel's unpacker expects. */
export function normalizeCpioPath(p: string): string {
  const parts = p.split('/').filter((s) => s && s !== '.');
  if (parts.some((s) => s === '..')) throw new Error(`A path in the rootfs may not contain "..": ${p}`);
  return parts.join('/');
}

/** Entries keyed by path (later ones replace earlier ones), with every parent directory present. */
export class CpioTree {
  private entries = new Map<string, CpioEntry>();

  add(e: CpioEntry): void {
    const p = normalizeCpioPath(e.path);
    if (!p) return;
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const existing = this.entries.get(dir);
      if (!existing) this.entries.set(dir, { path: dir, type: 'dir', mode: 0o755 });
      else if (existing.type !== 'dir') throw new Error(`"${dir}" is a ${existing.type} in the rootfs, but "${p}" needs it to be a directory.`);
    }
    this.entries.set(p, { ...e, path: p });
  }

  has(p: string): boolean {
    return this.entries.has(normalizeCpioPath(p));
  }

  get(p: string): CpioEntry | undefined {
    return this.entries.get(normalizeCpioPath(p));
  }

  /** Byte order (LC_ALL=C): parents always sort before their children. */
  sorted(): CpioEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  get size(): number {
    return this.entries.size;
  }
}

function header(ino: number, mode: number, nlink: number, mtime: number, size: number, nameSize: number, rdev = [0, 0]): Buffer {
  const fields = [ino, mode, 0, 0, nlink, mtime, size, 0, 0, rdev[0], rdev[1], nameSize, 0];
  return Buffer.from('070701' + fields.map(hex8).join(''), 'ascii');
}

/**
 * Writes the archive to `file`; resolves to its size in bytes. Asynchronous, in 1 MiB writes with
 * a turn of the event loop between them: `yoke serve` builds in the process that serves the UI,
 * and a big overlay written synchronously stalled every page request for as long as it took.
 */
export async function writeCpio(entries: CpioEntry[], file: string, mtime: number, signal?: AbortSignal): Promise<number> {
  // Checked before a byte is written, so a refused archive never exists half-written.
  for (const e of entries) {
    const size = e.type === 'file' ? ('data' in e ? e.data.length : e.size) : 0;
    if (size > NEWC_MAX_FILE_SIZE) throw new CpioLimitError(tooBigForNewc(e.type === 'file' && 'source' in e ? e.source : e.path, size));
  }
  const out = await fsp.open(file, 'w');
  const chunk = takeBuffer();
  const pending = Buffer.allocUnsafe(chunk.length);
  let used = 0;
  let offset = 0;
  const flush = async () => {
    if (used === 0) return;
    await out.write(pending, 0, used);
    used = 0;
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('The build was cancelled.');
  };
  const write = async (b: Buffer) => {
    offset += b.length;
    if (b.length >= pending.length) {
      await flush();
      await out.write(b);
      return;
    }
    if (used + b.length > pending.length) await flush();
    b.copy(pending, used);
    used += b.length;
  };
  const zeros = Buffer.alloc(4);
  const record = async (ino: number, mode: number, nlink: number, name: string, size: number, rdev?: number[]) => {
    const nameBuf = Buffer.from(name + '\0', 'utf8');
    const h = header(ino, mode, nlink, mtime, size, nameBuf.length, rdev);
    await write(h);
    await write(nameBuf);
    await write(zeros.subarray(0, pad4(h.length + nameBuf.length)));
  };
  try {
    let ino = 1;
    for (const e of entries) {
      if (e.type === 'dir') {
        await record(ino++, S_IFDIR | (e.mode & 0o7777), 2, e.path, 0);
      } else if (e.type === 'chardev') {
        await record(ino++, S_IFCHR | (e.mode & 0o7777), 1, e.path, 0, [e.major, e.minor]);
      } else if (e.type === 'symlink') {
        const t = Buffer.from(e.target, 'utf8');
        await record(ino++, S_IFLNK | 0o777, 1, e.path, t.length);
        await write(t);
        await write(zeros.subarray(0, pad4(t.length)));
      } else if ('data' in e) {
        await record(ino++, S_IFREG | (e.mode & 0o7777), 1, e.path, e.data.length);
        await write(e.data);
        await write(zeros.subarray(0, pad4(e.data.length)));
      } else {
        await record(ino++, S_IFREG | (e.mode & 0o7777), 1, e.path, e.size);
        const src = await fsp.open(e.source, 'r');
        try {
          let left = e.size;
          while (left > 0) {
            const { bytesRead: n } = await src.read(chunk, 0, Math.min(chunk.length, left), null);
            if (n === 0) throw new Error(`${e.source} shrank while it was being archived; try the build again.`);
            await write(chunk.subarray(0, n));
            left -= n;
          }
        } finally {
          await src.close();
        }
        await write(zeros.subarray(0, pad4(e.size)));
      }
    }
    await record(0, 0, 1, 'TRAILER!!!', 0);
    // The kernel reads archives in 512-byte blocks; pad like cpio(1) does.
    const rest = (512 - (offset % 512)) % 512;
    if (rest) await write(Buffer.alloc(rest));
    await flush();
  } finally {
    await out.close();
    giveBuffer(chunk);
  }
  return offset;
}
