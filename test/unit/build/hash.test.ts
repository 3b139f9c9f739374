import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Of } from '../../support/sha256';
import { hashFile, hashingWriter, hashWithPrefix } from '../../../src-main/build/hash';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-hash-'));

/** A sparse disk-like file: holes with a few data islands, like mke2fs leaves behind. */
function sparseFile(p: string, size: number): void {
  fs.writeFileSync(p, '');
  fs.truncateSync(p, size);
  const fd = fs.openSync(p, 'r+');
  for (const at of [0, 5 << 20, 17 << 20, size - 4096]) fs.writeSync(fd, crypto.randomBytes(4096), 0, 4096, at);
  fs.closeSync(fd);
}

describe('hashing build files', () => {
  it('gives the SHA-256 of sparse disk images, holes included, small and big', async () => {
    const d = dir();
    for (const [name, size] of [['small.raw', 64 << 20], ['big.raw', 160 << 20], ['odd.bin', 3 * 1048576 + 17]] as const) {
      const p = path.join(d, name);
      if (name === 'odd.bin') fs.writeFileSync(p, crypto.randomBytes(size));
      else sparseFile(p, size);
      expect(await hashFile(p)).toBe(sha256Of(p));
    }
  });

  it('notices a file that changed since it was hashed', async () => {
    const p = path.join(dir(), 'f');
    fs.writeFileSync(p, 'one');
    const first = await hashFile(p);
    fs.writeFileSync(p, 'two');
    fs.utimesSync(p, new Date(), new Date(Date.now() + 5000));
    expect(await hashFile(p)).not.toBe(first);
    expect(await hashFile(p)).toBe(sha256Of(p));
  });

  it('hashes a file that is another plus a trailer (a fixed VHD) from the trailer alone, correctly', async () => {
    const d = dir();
    const raw = path.join(d, 'disk.raw');
    sparseFile(raw, 32 << 20);
    const vhd = path.join(d, 'disk.vhd');
    fs.copyFileSync(raw, vhd);
    fs.appendFileSync(vhd, crypto.randomBytes(512));
    expect(await hashWithPrefix(vhd, raw)).toBe(sha256Of(vhd));
    expect(await hashFile(vhd)).toBe(sha256Of(vhd));
  });

  it('writes and hashes in one pass', async () => {
    const p = path.join(dir(), 'w');
    const w = hashingWriter(p);
    w.write(Buffer.from('hello '));
    w.write(Buffer.from('world'));
    const hex = w.close();
    expect(hex).toBe(sha256Of(p));
    expect(await hashFile(p)).toBe(hex);
  });
});
