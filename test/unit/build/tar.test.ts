import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { sha256Of } from '../../support/sha256';
import { writeTar } from '../../../src-main/build/tar';

const dir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-tar-'));

async function readTar(file: string): Promise<{ name: string; mode: number; mtime: number; data: Buffer }[]> {
  const out: { name: string; mode: number; mtime: number; data: Buffer }[] = [];
  const ex = tar.extract();
  ex.on('entry', (h, stream, next) => {
    const parts: Buffer[] = [];
    stream.on('data', (c: unknown) => void parts.push(c as Buffer));
    stream.on('end', () => {
      out.push({ name: h.name, mode: h.mode ?? 0, mtime: h.mtime!.getTime() / 1000, data: Buffer.concat(parts) });
      next();
    });
  });
  await pipeline(fs.createReadStream(file), ex);
  return out;
}

describe('the OVA tar writer', () => {
  it('writes a tar that tar readers unpack, byte-identical to what tar-stream writes, and returns its digest', async () => {
    const d = dir();
    const disk = path.join(d, 'disk.vmdk');
    fs.writeFileSync(disk, crypto.randomBytes(3 * 1048576 + 100));
    const ovf = Buffer.from('<Envelope/>\n');
    const out = path.join(d, 'a.ova');
    const hex = await writeTar(out, [{ name: 'a.ovf', data: ovf }, { name: 'a-os.vmdk', file: disk, size: fs.statSync(disk).size }], 1704067200);
    expect(hex).toBe(sha256Of(out));
    const entries = await readTar(out);
    expect(entries.map((e) => [e.name, e.mode, e.mtime])).toEqual([
      ['a.ovf', 0o644, 1704067200],
      ['a-os.vmdk', 0o644, 1704067200],
    ]);
    expect(entries[1].data.equals(fs.readFileSync(disk))).toBe(true);

    const pack = tar.pack();
    const ref = path.join(d, 'ref.ova');
    const done = pipeline(pack, fs.createWriteStream(ref));
    const header = (name: string, size: number) => ({ name, size, mode: 0o644, mtime: new Date(1704067200 * 1000), uid: 0, gid: 0, uname: 'root', gname: 'root', type: 'file' as const });
    pack.entry(header('a.ovf', ovf.length), ovf);
    pack.entry(header('a-os.vmdk', fs.statSync(disk).size), fs.readFileSync(disk));
    pack.finalize();
    await done;
    expect(fs.readFileSync(out).equals(fs.readFileSync(ref))).toBe(true);
  });

  it('refuses a file name a plain tar header cannot hold, saying what to shorten', async () => {
    const out = path.join(dir(), 'a.ova');
    await expect(writeTar(out, [{ name: `${'x'.repeat(101)}.ovf`, data: Buffer.from('') }], 0)).rejects.toThrow(/at most 100 characters. Shorten the appliance name or version/);
  });
});
