/*
 * Reads the file list of a newc ("070701"/"070702") cpio archive. A ~50-line parser instead of
 * running `cpio -t`: we need sizes and modes too (`cpio -tv` prints them in a locale-dependent
 * `ls -l` layout), the initrd is several archives back to back (cpio stops at the first
 * trailer), and the headers are fixed-width hex fields that are simple to read exactly.
 */
import { createHash } from 'node:crypto';

export type NewcType = 'file' | 'dir' | 'symlink' | 'other';

export interface NewcEntry {
  path: string;
  type: NewcType;
  mode: number;
  bytes: number;
  /** SHA-256 of a file's content (so an edit that keeps the size still shows as changed). */
  sha256?: string;
}

const HEADER = 110;
const TRAILER = 'TRAILER!!!';

function typeOf(mode: number): NewcType {
  switch (mode & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'dir';
    case 0o120000:
      return 'symlink';
    default:
      return 'other';
  }
}

const align4 = (n: number) => (n + 3) & ~3;

/** Every entry of every archive in `buf`; when a path repeats, the later one wins (as the kernel unpacks). */
export function parseNewc(buf: Buffer): NewcEntry[] {
  const byPath = new Map<string, NewcEntry>();
  let off = 0;
  while (off + HEADER <= buf.length) {
    // Archives are padded (to 512 bytes by cpio, 4 by us) with NULs before the next one starts.
    if (buf[off] === 0) {
      off++;
      continue;
    }
    const magic = buf.toString('latin1', off, off + 6);
    if (magic !== '070701' && magic !== '070702') throw new Error(`not a newc cpio archive: bad magic ${JSON.stringify(magic)} at byte ${off}`);
    const field = (i: number) => parseInt(buf.toString('latin1', off + 6 + i * 8, off + 14 + i * 8), 16);
    const mode = field(1);
    const fileSize = field(6);
    const nameSize = field(11);
    const nameStart = off + HEADER;
    if (nameStart + nameSize > buf.length) throw new Error(`truncated cpio archive: entry name at byte ${off} runs past the end`);
    const name = buf.toString('utf8', nameStart, nameStart + nameSize - 1);
    const dataStart = align4(nameStart + nameSize);
    off = align4(dataStart + fileSize);
    if (off > buf.length + 3) throw new Error(`truncated cpio archive: ${name} runs past the end`);
    if (name === TRAILER) continue;
    const p = name.replace(/^(\.\/|\/)+/, '');
    if (!p || p === '.') continue;
    const type = typeOf(mode);
    const entry: NewcEntry = { path: p, type, mode: mode & 0o7777, bytes: type === 'file' ? fileSize : 0 };
    if (type === 'file' || type === 'symlink') entry.sha256 = createHash('sha256').update(buf.subarray(dataStart, dataStart + fileSize)).digest('hex');
    byPath.set(p, entry);
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
