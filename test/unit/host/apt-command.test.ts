import { describe, expect, it } from 'vitest';
import { aptInstallCommand, missingPackages } from '../../../src-main/host/apt-command';

describe('the apt command the doctor prints', () => {
  const tools = [
    { name: 'qemu-img', found: false, aptPackage: 'qemu-utils' },
    { name: 'mcopy', found: false, aptPackage: 'mtools' },
    { name: 'mformat', found: false, aptPackage: 'mtools' },
    { name: 'zstd', found: true, aptPackage: 'zstd' },
    { name: 'cpio', found: false, aptPackage: 'cpio' },
  ];

  it('names each missing package once, in catalogue order', () => {
    expect(missingPackages(tools)).toEqual(['qemu-utils', 'mtools', 'cpio']);
    expect(missingPackages([])).toEqual([]);
  });

  it('uses sudo for a normal user and not for root', () => {
    expect(aptInstallCommand(['qemu-utils', 'mtools'], false)).toBe('sudo apt-get install -y qemu-utils mtools');
    expect(aptInstallCommand(['qemu-utils', 'mtools'], true)).toBe('apt-get install -y qemu-utils mtools');
  });

  it('is absent when nothing is missing', () => {
    expect(aptInstallCommand([], false)).toBeUndefined();
  });
});
