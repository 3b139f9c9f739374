import crypto from 'node:crypto';
import fs from 'node:fs';
import { giveBuffer, takeBuffer } from './hash';

/*
 * A minimal ustar writer for the OVA: regular files only, fixed owner and mtime. The disk images
 * are copied through one reused buffer and hashed on the way (a streaming tar library holds
 * several megabytes in flight and reads the result back to hash it). Headers are the ones
 * tar-stream writes, byte for byte.
 */

const BLOCK = 512;

function octal(value: number, width: number): string {
  const s = value.toString(8);
  return s.length > width ? '7'.repeat(width) + ' ' : s.padStart(width, '0') + ' ';
}

export interface TarHeader {
  name: string;
  size: number;
  mode: number;
  mtime: number;
}

export function tarHeader(h: TarHeader): Buffer {
  const b = Buffer.alloc(BLOCK);
  if (Buffer.byteLength(h.name) !== h.name.length || h.name.length > 100) {
    throw new Error(`"${h.name}" cannot be a file name in the OVA: it must be plain ASCII of at most 100 characters. Shorten the appliance name or version.`);
  }
  b.write(h.name, 0, 'ascii');
  b.write(octal(h.mode & 0o7777, 6), 100, 'ascii');
  b.write(octal(0, 6), 108, 'ascii');
  b.write(octal(0, 6), 116, 'ascii');
  if (h.size.toString(8).length > 11) {
    // Past 8 GiB: base-256 size, as GNU tar and tar-stream write it.
    b[124] = 0x80;
    let n = h.size;
    for (let i = 11; i > 0; i--) {
      b[124 + i] = n & 0xff;
      n = Math.floor(n / 0x100);
    }
  } else b.write(octal(h.size, 11), 124, 'ascii');
  b.write(octal(h.mtime, 11), 136, 'ascii');
  b[156] = 0x30; // '0': a regular file
  b.write('ustar\0', 257, 'ascii');
  b.write('00', 263, 'ascii');
  b.write('root', 265, 'ascii');
  b.write('root', 297, 'ascii');
  b.write(octal(0, 6), 329, 'ascii');
  b.write(octal(0, 6), 337, 'ascii');
  let sum = 8 * 32;
  for (let i = 0; i < BLOCK; i++) if (i < 148 || i >= 156) sum += b[i];
  b.write(octal(sum, 6), 148, 'ascii');
  return b;
}

/** Writes a tar of in-memory and on-disk files; returns the archive's SHA-256. */
export async function writeTar(out: string, entries: ({ name: string; data: Buffer } | { name: string; file: string; size: number })[], mtime: number): Promise<string> {
  const h = crypto.createHash('sha256');
  const fh = await fs.promises.open(out, 'w');
  const put = async (b: Buffer) => {
    h.update(b);
    for (let off = 0; off < b.length; ) off += (await fh.write(b, off, b.length - off)).bytesWritten;
  };
  const pad = (n: number) => (n % BLOCK ? put(Buffer.alloc(BLOCK - (n % BLOCK))) : Promise.resolve());
  const buf = takeBuffer();
  try {
    for (const e of entries) {
      const size = 'data' in e ? e.data.length : e.size;
      await put(tarHeader({ name: e.name, size, mode: 0o644, mtime }));
      if ('data' in e) await put(e.data);
      else {
        const src = await fs.promises.open(e.file, 'r');
        try {
          for (let left = size; left > 0; ) {
            const { bytesRead } = await src.read(buf, 0, Math.min(buf.length, left), null);
            if (bytesRead === 0) throw new Error(`${e.file} shrank while it was being packed; build again.`);
            await put(buf.subarray(0, bytesRead));
            left -= bytesRead;
          }
        } finally {
          await src.close();
        }
      }
      await pad(size);
    }
    await put(Buffer.alloc(2 * BLOCK));
  } finally {
    await fh.close();
    giveBuffer(buf);
  }
  return h.digest('hex');
}
