import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOTFS_FILES, ROOTFS_FILES_ON_DISK, rootfsFiles } from '../../../src-main/api/rootfs-files';
import { PART_NAMES } from '../../../src-main/build/osdisk';
import { mkfsErofs } from '../../../src-main/tools/mkfs-erofs';
import { GPT_TYPES, sfdisk } from '../../../src-main/tools/sfdisk';
import { parseFindList } from '../../../src-main/tools/find';
import { zstdCompress } from '../../../src-main/tools/zstd';

// Compare's file lists from real bytes: an erofs made by mkfs.erofs, written into a GPT disk's
// root-a partition as a Debian build's os.raw has it, read back by sfdisk, fsck.erofs and find;
// and a busybox build's initrd (GNU cpio, zstd), read as before.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-rootfs-files-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const G = '11111111-2222-4333-8444-555555555555';

/** A build folder whose os.raw holds `tree` as erofs in a partition named `partName`. */
async function debianBuildDir(name: string, tree: string, partName: string = PART_NAMES.rootA): Promise<string> {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  const image = path.join(root, `${name}.erofs`);
  await mkfsErofs({ out: image, dir: tree, epoch: 1_700_000_000, uuid: G }, path.join(root, `${name}.state`));
  const raw = path.join(dir, 'os.raw');
  fs.writeFileSync(raw, '');
  fs.truncateSync(raw, 8 * 1024 * 1024);
  await sfdisk(raw, { diskGuid: G, partitions: [{ startSector: 2048, sectors: 8192, type: GPT_TYPES.linux, name: partName, uuid: G }] });
  const fd = fs.openSync(raw, 'r+');
  fs.writeSync(fd, fs.readFileSync(image), 0, fs.statSync(image).size, 2048 * 512);
  fs.closeSync(fd);
  return dir;
}

describe('rootfsFiles', () => {
  const tree = path.join(root, 'tree');
  for (const d of ['usr/bin', 'etc', 'var/tmp']) fs.mkdirSync(path.join(tree, d), { recursive: true });
  fs.writeFileSync(path.join(tree, 'usr/bin/su'), 'not really su\n');
  fs.chmodSync(path.join(tree, 'usr/bin/su'), 0o4755);
  fs.writeFileSync(path.join(tree, 'etc/hostname'), 'notes\n');
  fs.chmodSync(path.join(tree, 'var/tmp'), 0o1777);
  fs.symlinkSync('../usr/bin/su', path.join(tree, 'etc/su-link'));
  // Whatever this machine's umask: the modes the list must show.
  for (const d of ['usr', 'usr/bin', 'etc', 'var']) fs.chmodSync(path.join(tree, d), 0o755);
  fs.chmodSync(path.join(tree, 'etc/hostname'), 0o644);

  it("lists a Debian build's root partition (root-a) with types, modes (setuid kept), sizes and content hashes, and caches it under its own name", async () => {
    const dir = await debianBuildDir('debian', tree);
    // A list an older Yoke cached from the build's initramfs: never read as the root's.
    fs.writeFileSync(path.join(dir, ROOTFS_FILES), JSON.stringify([{ path: 'init', type: 'file', mode: 0o755, bytes: 1 }]));
    const files = await rootfsFiles(dir, { rootOnDisk: true });
    expect(files).toEqual([
      { path: 'etc', type: 'dir', mode: 0o755, bytes: 0 },
      { path: 'etc/hostname', type: 'file', mode: 0o644, bytes: 6, sha256: sha('notes\n') },
      { path: 'etc/su-link', type: 'symlink', mode: 0o777, bytes: 0, sha256: sha('../usr/bin/su') },
      { path: 'usr', type: 'dir', mode: 0o755, bytes: 0 },
      { path: 'usr/bin', type: 'dir', mode: 0o755, bytes: 0 },
      { path: 'usr/bin/su', type: 'file', mode: 0o4755, bytes: 14, sha256: sha('not really su\n') },
      { path: 'var', type: 'dir', mode: 0o755, bytes: 0 },
      { path: 'var/tmp', type: 'dir', mode: 0o1777, bytes: 0 },
    ]);
    // Cached: the disk is not read again.
    expect(JSON.parse(fs.readFileSync(path.join(dir, ROOTFS_FILES_ON_DISK), 'utf8'))).toEqual(files);
    fs.rmSync(path.join(dir, 'os.raw'));
    expect(await rootfsFiles(dir, { rootOnDisk: true })).toEqual(files);
  });

  it('asks the disk when the spec cannot say: a root-a partition means the root is there', async () => {
    const dir = await debianBuildDir('spec-gone', tree);
    expect((await rootfsFiles(dir)).find((f) => f.path === 'usr/bin/su')?.mode).toBe(0o4755);
    expect(fs.existsSync(path.join(dir, ROOTFS_FILES_ON_DISK))).toBe(true);
  });

  it('says which disk lacks the root partition', async () => {
    const dir = await debianBuildDir('no-root-a', tree, 'something-else');
    await expect(rootfsFiles(dir, { rootOnDisk: true })).rejects.toThrow(/no-root-a\/os\.raw has no "root-a" partition/);
    expect(fs.existsSync(path.join(dir, ROOTFS_FILES_ON_DISK))).toBe(false);
  });

  it("lists a busybox build's initrd, as it always has", async () => {
    const dir = path.join(root, 'busybox');
    fs.mkdirSync(path.join(dir, 'boot'), { recursive: true });
    const cpio = path.join(root, 'initrd.cpio');
    fs.writeFileSync(cpio, execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: tree, input: 'etc\netc/hostname\n' }));
    await zstdCompress(cpio, path.join(dir, 'boot', 'initrd.zst'));
    const files = await rootfsFiles(dir);
    expect(files.map((f) => [f.path, f.type, f.bytes])).toEqual([
      ['etc', 'dir', 0],
      ['etc/hostname', 'file', 6],
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(dir, ROOTFS_FILES), 'utf8'))).toEqual(files);
  });
});

describe('parseFindList', () => {
  it('reads NUL-ended records, a path with spaces and a newline included', () => {
    expect(parseFindList('d 755 4096 usr\0f 4755 10 usr/bin/a b\nc\0c 666 0 dev/null\0l 777 7 x\0')).toEqual([
      { path: 'usr', type: 'dir', mode: 0o755, bytes: 0 },
      { path: 'usr/bin/a b\nc', type: 'file', mode: 0o4755, bytes: 10 },
      { path: 'dev/null', type: 'other', mode: 0o666, bytes: 0 },
      { path: 'x', type: 'symlink', mode: 0o777, bytes: 0 },
    ]);
    expect(() => parseFindList('garbage\0')).toThrow(/unexpected line: "garbage"/);
  });
});
