// The update medium as a customer receives it: a FAT disk labelled YOKEUPDATE (what the guest's
// updater looks for) holding the package byte for byte, and a vmdk of it; the same package gives
// the same bytes in another folder.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildUpdateMedium, mediumBytesFor, mediumName } from '../../../../src-main/build/updates/medium';
import { MEDIUM_LABEL } from '../../../../src-main/build/updates/updater-script';
import { mcopyOut, mdir } from '../../../../src-main/tools/mtools';
import { qemuImgInfo } from '../../../../src-main/tools/qemu-img';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-medium-'));
  dirs.push(d);
  return d;
};
const sha = (f: string) => crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex');

describe('update medium', () => {
  it('is named for the appliance and version, and sized for its package', () => {
    expect(mediumName('hello-web', '1.1.0', 'vmdk')).toBe('hello-web-1.1.0.update.vmdk');
    expect(mediumBytesFor(1000)).toBe(16 * 1048576);
    expect(mediumBytesFor(40 * 1048576)).toBe(43 * 1048576);
  });

  it('holds the package on a FAT disk labelled YOKEUPDATE, as raw and vmdk, the same bytes every time', async () => {
    const src = tmp();
    const pkg = path.join(src, 'hello-web-1.1.0.full.yup');
    fs.writeFileSync(pkg, crypto.randomBytes(3 * 1048576 + 17));
    const made: { raw: string; vmdk: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const out = tmp();
      const m = { raw: path.join(out, mediumName('hello-web', '1.1.0', 'raw')), vmdk: path.join(out, mediumName('hello-web', '1.1.0', 'vmdk')) };
      await buildUpdateMedium({ pkg, ...m, volumeId: '0a1b2c3d', epoch: 1704067200 });
      made.push(m);
    }
    const [a, b] = made;
    expect(sha(a.raw)).toBe(sha(b.raw));
    expect(sha(a.vmdk)).toBe(sha(b.vmdk));

    // The boot sector of a FAT16 filesystem: volume id at 0x27, label at 0x2b (what findfs LABEL= reads).
    const boot = Buffer.alloc(512);
    const fd = fs.openSync(a.raw, 'r');
    fs.readSync(fd, boot, 0, 512, 0);
    fs.closeSync(fd);
    expect(boot.toString('latin1', 0x2b, 0x2b + 11).trim()).toBe(MEDIUM_LABEL);
    expect(boot.readUInt32LE(0x27).toString(16)).toBe('a1b2c3d');
    expect(boot.toString('latin1', 0x36, 0x3e).trim()).toBe('FAT16');

    expect(await mdir(a.raw)).toEqual(['::/hello-web-1.1.0.full.yup']);
    const back = path.join(tmp(), 'back.yup');
    await mcopyOut(a.raw, 'hello-web-1.1.0.full.yup', back);
    expect(sha(back)).toBe(sha(pkg));

    const info = await qemuImgInfo(a.vmdk, 'vmdk');
    expect(info['virtual-size']).toBe(fs.statSync(a.raw).size);
    // monolithicSparse: the vmdk VirtualBox and VMware attach as a disk (streamOptimized is for OVF import).
    expect(fs.readFileSync(a.vmdk).toString('latin1', 0, 4096)).toContain('createType="monolithicSparse"');
  });

  it('leaves nothing behind when the package is missing', async () => {
    const out = tmp();
    const m = { raw: path.join(out, 'x.update.raw'), vmdk: path.join(out, 'x.update.vmdk') };
    await expect(buildUpdateMedium({ pkg: path.join(out, 'nope.yup'), ...m, volumeId: '0a1b2c3d', epoch: 1704067200 })).rejects.toThrow(/nope\.yup/);
    expect(fs.readdirSync(out)).toEqual([]);
  });
});
