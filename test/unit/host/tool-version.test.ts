import { describe, expect, it } from 'vitest';
import { parseVersion } from '../../../src-main/host/tool-version';

// What each tool really prints (Debian 12), stdout and stderr joined as the doctor reads them.
const banners: [string, string, string][] = [
  ['qemu-system-x86_64', 'QEMU emulator version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\nCopyright (c) 2003-2022 Fabrice Bellard', '7.2.22'],
  ['qemu-img', 'qemu-img version 7.2.22 (Debian 1:7.2+dfsg-7+deb12u18+b3)\n', '7.2.22'],
  ['mke2fs', '\nmke2fs 1.47.0 (5-Feb-2023)\n\tUsing EXT2FS Library version 1.47.0\n', '1.47.0'],
  ['debugfs', 'debugfs 1.47.0 (5-Feb-2023)\n\tUsing EXT2FS Library version 1.47.0', '1.47.0'],
  ['mcopy', 'mcopy (GNU mtools) 4.0.32\nconfigured with the following options: enable-xdf', '4.0.32'],
  ['mformat', 'mformat (GNU mtools) 4.0.32\n', '4.0.32'],
  ['grub-mkimage', 'grub-mkimage (GRUB) 2.06-13+deb12u2\n', '2.06-13+deb12u2'],
  ['sfdisk', 'sfdisk from util-linux 2.38.1\n', '2.38.1'],
  ['mkfs.vfat', 'Usage: mkfs.vfat [OPTIONS] TARGET [BLOCKS]\n  --help          Show this help message and exit\nmkfs.fat 4.2 (2021-01-31)\n', '4.2'],
  ['zstd', '*** Zstandard CLI (64-bit) v1.5.4, by Yann Collet ***\n', '1.5.4'],
  ['cpio', 'cpio (GNU cpio) 2.13\nCopyright (C) 2017 Free Software Foundation, Inc.', '2.13'],
  ['busybox', 'BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) multi-call binary.\nBusyBox is copyrighted by many authors between 1998-2015.', '1.35.0'],
];

describe('parseVersion', () => {
  it.each(banners)('reads the version of %s', (tool, banner, version) => {
    expect(parseVersion(tool, banner)).toBe(version);
  });

  it('does not take a copyright year or library version for the tool version', () => {
    expect(parseVersion('mke2fs', '\tUsing EXT2FS Library version 1.46.2\nmke2fs 1.47.0 (5-Feb-2023)')).toBe('1.47.0');
    expect(parseVersion('busybox', 'BusyBox is copyrighted by many authors between 1998-2015.\nBusyBox v1.36.1 ()')).toBe('1.36.1');
  });

  it('falls back to the first dotted number for a banner it does not know, and gives up on none', () => {
    expect(parseVersion('something', 'something 3.1.4 (beta)')).toBe('3.1.4');
    expect(parseVersion('zstd', 'usage: zstd [args]')).toBeUndefined();
  });
});
