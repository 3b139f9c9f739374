import { describe, expect, it } from 'vitest';
import { aptCacheDependsArgs, aptGetDownloadArgs, parseAptCacheDepends } from '../../../src-main/tools/apt';
import { busyboxListArgs, parseAppletList } from '../../../src-main/tools/busybox';
import { cpSparseArgs } from '../../../src-main/tools/cp';
import { dpkgDebExtractArgs } from '../../../src-main/tools/dpkg-deb';
import { debugfsPinScript, debugfsWriteArgs } from '../../../src-main/tools/debugfs';
import { mke2fsArgs } from '../../../src-main/tools/mke2fs';
import { mkfsVfatArgs } from '../../../src-main/tools/mkfs-vfat';
import { mcopyArgs, mdirArgs, mtoolsImage, mmdArgs } from '../../../src-main/tools/mtools';
import { formatOf } from '../../../src-main/build/formats';
import { qemuImgConvertArgs, qemuImgInfoArgs, qemuImgMapArgs } from '../../../src-main/tools/qemu-img';
import { sfdiskArgs, sfdiskDumpArgs, GPT_TYPES, parseSfdiskDump, sfdiskScript } from '../../../src-main/tools/sfdisk';
import { fsckErofsExtractArgs } from '../../../src-main/tools/fsck-erofs';
import { findListArgs } from '../../../src-main/tools/find';
import { grubMkimageArgs } from '../../../src-main/tools/grub';
import { zstdCompressArgs } from '../../../src-main/tools/zstd';

describe('tool argument lists', () => {
  it.each([
    ['qcow2', ['convert', '-q', '-f', 'raw', '-O', 'qcow2', '-o', 'compat=1.1', 'in.raw', 'out']],
    ['vmdk', ['convert', '-q', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', 'in.raw', 'out']],
    ['vhd', ['convert', '-q', '-f', 'raw', '-O', 'vpc', '-o', 'subformat=fixed,force_size=on', 'in.raw', 'out']],
    ['vdi', ['convert', '-q', '-f', 'raw', '-O', 'vdi', '-o', 'static=off', 'in.raw', 'out']],
    ['raw', ['convert', '-q', '-f', 'raw', '-O', 'raw', '-S', '4k', 'in.raw', 'out']],
  ] as const)('qemu-img convert to %s', (fmt, argv) => {
    expect(qemuImgConvertArgs('in.raw', 'out', formatOf(fmt).qemuImg)).toEqual(argv);
  });

  it('qemu-img map reads a raw file as raw and answers in JSON', () => {
    expect(qemuImgMapArgs('/d/data.raw')).toEqual(['map', '-f', 'raw', '--output=json', '/d/data.raw']);
  });

  it('qemu-img info asks for JSON and passes the format when known', () => {
    expect(qemuImgInfoArgs('a.vhd', 'vpc')).toEqual(['info', '--output=json', '-f', 'vpc', 'a.vhd']);
    expect(qemuImgInfoArgs('a.img')).toEqual(['info', '--output=json', 'a.img']);
  });

  it('mkfs.vfat pins the volume id and writes at an offset inside the disk', () => {
    expect(mkfsVfatArgs({ target: 'os.raw', sizeKiB: 64512, volumeId: 'abcd1234', label: 'yoke', offsetSectors: 2048, fat: 16 })).toEqual([
      '--invariant',
      '-F', '16', '-i', 'ABCD1234', '-n', 'YOKE', '--offset=2048', 'os.raw', '64512',
    ]);
    expect(() => mkfsVfatArgs({ target: 'x', sizeKiB: 1, volumeId: 'nothex!!', label: 'a' })).toThrow(/8 hex digits/);
  });

  it('mtools addresses a partition with image@@offset and keeps mtimes', () => {
    expect(mtoolsImage('os.raw', 1048576)).toBe('os.raw@@1048576');
    expect(mtoolsImage('part.img')).toBe('part.img');
    expect(mcopyArgs('os.raw@@1048576', ['/a/vmlinuz', '/a/syslinux.cfg'])).toEqual(['-i', 'os.raw@@1048576', '-o', '-m', '/a/vmlinuz', '/a/syslinux.cfg', '::/']);
    expect(mdirArgs('p.img')).toEqual(['-i', 'p.img', '-b', '::/']);
    expect(() => mcopyArgs('p.img', [])).toThrow(/at least one file/);
  });

  it('sfdisk gets a GPT label with pinned GUIDs and partition names', () => {
    const g = '11111111-2222-4333-8444-555555555555';
    expect(sfdiskScript({ diskGuid: g, partitions: [{ startSector: 2048, sectors: 2048, type: GPT_TYPES.biosBoot, name: 'bios-boot', uuid: g }] })).toBe(
      `label: gpt\nlabel-id: ${g}\nunit: sectors\nfirst-lba: 34\n\nstart=2048, size=2048, type=${GPT_TYPES.biosBoot}, uuid=${g}, name="bios-boot"\n`,
    );
    expect(() => sfdiskScript({ diskGuid: g, partitions: [{ startSector: 1, type: GPT_TYPES.esp, name: 'has space', uuid: g }] })).toThrow(/Partition name/);
    expect(sfdiskArgs('os.raw')).toEqual(['--no-reread', '--no-tell-kernel', '--quiet', '--wipe', 'never', 'os.raw']);
  });

  it("Compare reads a Debian build's root: sfdisk --json, fsck.erofs keeping modes but not owners, find printing NUL-ended records", () => {
    expect(sfdiskDumpArgs('os.raw')).toEqual(['--json', 'os.raw']);
    const dump = { partitiontable: { label: 'gpt', sectorsize: 512, partitions: [{ node: 'os.raw3', start: 79872, size: 116736, type: GPT_TYPES.linux, name: 'root-a' }] } };
    expect(parseSfdiskDump(JSON.stringify(dump))).toEqual([{ name: 'root-a', startSector: 79872, sectors: 116736 }]);
    expect(() => parseSfdiskDump(JSON.stringify({ partitiontable: { ...dump.partitiontable, sectorsize: 4096 } }))).toThrow(/4096-byte sectors/);
    expect(fsckErofsExtractArgs('r.erofs', '/tmp/x')).toEqual(['--extract=/tmp/x', '--preserve-perms', '--no-preserve-owner', 'r.erofs']);
    expect(findListArgs('/tmp/x')).toEqual(['/tmp/x', '-mindepth', '1', '-printf', '%y %m %s %P\\0']);
  });

  it('grub-mkimage builds every module in, for BIOS and UEFI, with the early config', () => {
    const bios = grubMkimageArgs('i386-pc', 'core.img', 'early.cfg', '/g/i386-pc');
    expect(bios.slice(0, 10)).toEqual(['-O', 'i386-pc', '-d', '/g/i386-pc', '-o', 'core.img', '-c', 'early.cfg', '-p', '/boot/grub']);
    expect(bios).toEqual(expect.arrayContaining(['biosdisk', 'part_gpt', 'fat', 'loadenv', 'hashsum', 'gcry_sha256', 'search_fs_uuid']));
    const efi = grubMkimageArgs('x86_64-efi', 'BOOTX64.EFI', 'early.cfg', '/g/x86_64-efi');
    expect(efi).toEqual(expect.arrayContaining(['chain', 'efi_gop', 'loadenv']));
    expect(efi).not.toContain('biosdisk');
  });

  it('mmd makes folders in a FAT image at an offset, skipping ones that exist', () => {
    expect(mmdArgs('os.raw@@2097152', ['a', '/boot/grub'])).toEqual(['-i', 'os.raw@@2097152', '-D', 's', '::/a', '::/boot/grub']);
  });

  it('mke2fs pins UUID, hash seed and root owner; labels are at most 16 characters', () => {
    const uuid = '11111111-2222-4333-8444-555555555555';
    expect(mke2fsArgs({ image: 'd.raw', sizeBytes: 64 << 20, label: 'data', uuid, seedDir: 'seed' })).toEqual([
      '-q', '-F', '-t', 'ext4', '-L', 'data', '-U', uuid, '-E', `hash_seed=${uuid},root_owner=0:0,lazy_itable_init=1`, '-d', 'seed', 'd.raw', '65536k',
    ]);
    expect(() => mke2fsArgs({ image: 'd', sizeBytes: 1 << 20, label: 'a-label-much-too-long', uuid })).toThrow(/at most 16/);
  });

  it('debugfs pins owner and times of every seeded path', () => {
    const s = debugfsPinScript(['/etc/x'], 1704067200);
    expect(s).toContain('sif "/etc/x" uid 0\nsif "/etc/x" gid 0\n');
    expect(s).toContain('sif "/" ctime @1704067200');
    expect(s).toContain('sif "/etc/x" crtime @1704067200');
    expect(debugfsWriteArgs('d.raw', 'cmds')).toEqual(['-w', '-f', 'cmds', 'd.raw']);
  });

  it('zstd uses every core', () => {
    expect(zstdCompressArgs('a.cpio', 'a.zst')).toEqual(['-3', '-T0', '-q', '-f', '--no-progress', 'a.cpio', '-o', 'a.zst']);
  });

  it('apt downloads without installing and resolves the kernel meta package', () => {
    expect(aptGetDownloadArgs(['linux-image-6.1.0-56-cloud-amd64'])).toEqual(['download', '-q', 'linux-image-6.1.0-56-cloud-amd64']);
    expect(aptCacheDependsArgs('linux-image-cloud-amd64').at(-1)).toBe('linux-image-cloud-amd64');
    expect(parseAptCacheDepends('linux-image-cloud-amd64\n  Depends: linux-image-6.1.0-56-cloud-amd64\n |Depends: <virtual-x>\n')).toEqual(['linux-image-6.1.0-56-cloud-amd64', 'virtual-x']);
  });

  it('dpkg-deb extracts, cp copies sparse, busybox lists applets', () => {
    expect(dpkgDebExtractArgs('k.deb', 'tree')).toEqual(['-x', 'k.deb', 'tree']);
    expect(cpSparseArgs('a', 'b')).toEqual(['--reflink=auto', '--sparse=always', '--no-preserve=mode', '--', 'a', 'b']);
    expect(busyboxListArgs()).toEqual(['--list-full']);
    expect(parseAppletList('usr/sbin/httpd\nbin/sh\n/etc/evil\n../x\n\n')).toEqual(['bin/sh', 'usr/sbin/httpd']);
  });
});
