// The module closure on Debian's real generic kernel (fetched once into the shared test kernel
// home, like the build tests' cloud kernel): the drivers each hardware profile needs, in an
// order busybox insmod can follow, and the errors for a kernel that lacks one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureKernel, kernelFromPath, type KernelInfo } from '../../../src-main/build/kernel';
import { ensureModuleIndex } from '../../../src-main/build/module-index';
import { hardwareModules, type ModuleIndex } from '../../../src-main/build/modules';
import { familyVariants, HARDWARE_VARIANTS, hardwareVariant } from '../../../src-main/vm/hardware';

const SHARED = path.join(os.tmpdir(), 'yoke-test-kernel-home');
const NO_HOST = { bootDir: '/nonexistent', modulesRoot: '/nonexistent' };

let generic: KernelInfo;
let index: ModuleIndex;
let cloud: KernelInfo;

beforeAll(async () => {
  fs.mkdirSync(SHARED, { recursive: true });
  generic = await ensureKernel(SHARED, { host: NO_HOST, flavour: 'generic' });
  cloud = await ensureKernel(SHARED, { host: NO_HOST, flavour: 'cloud' });
  index = await ensureModuleIndex(generic, SHARED);
}, 300_000);

const names = (mods: { name: string }[]) => mods.map((m) => m.name);
function before(list: string[], a: string, b: string): void {
  expect(list, `${a} must be in the list`).toContain(a);
  expect(list.indexOf(a), `${a} loads before ${b}`).toBeLessThan(list.indexOf(b));
}

describe('module closure on the generic kernel', () => {
  it('fetched the generic kernel, not the cloud one', () => {
    expect(generic.version).toMatch(/^\d+\.\d+\.\d+-\d+-amd64$/);
    expect(cloud.version).toMatch(/-cloud-amd64$/);
  });

  it('has every driver of every profile, dependencies and softdeps first', () => {
    const list = names(hardwareModules(index, HARDWARE_VARIANTS, ['button', 'evdev']));
    for (const m of ['ata_piix', 'ahci', 'e1000', 'vmw_pvscsi', 'vmxnet3', 'sd_mod', 'virtio_blk', 'virtio_net', 'ext4', 'button', 'evdev']) expect(list).toContain(m);
    // ext4 declares softdep pre: crc32c; busybox would never load it on its own.
    before(list, 'crc32c_generic', 'ext4');
    before(list, 'jbd2', 'ext4');
    before(list, 'virtio_ring', 'virtio');
    before(list, 'scsi_mod', 'sd_mod');
    before(list, 'libata', 'ata_piix');
    before(list, 'libahci', 'ahci');
    expect(new Set(list).size).toBe(list.length);
  });

  it('takes only what a profile needs', () => {
    const ide = names(hardwareModules(index, [hardwareVariant('virtualbox-ide')]));
    expect(ide).toContain('ata_piix');
    expect(ide).toContain('e1000');
    expect(ide).not.toContain('vmxnet3');
    expect(ide).not.toContain('ahci');
  });

  it('fails a VirtualBox build on the cloud kernel naming the profile, the device and the kernel', async () => {
    const cloudIndex = await ensureModuleIndex(cloud, SHARED);
    expect(() => hardwareModules(cloudIndex, familyVariants('virtualbox'))).toThrow(
      new RegExp(`The kernel ${cloud.version.replace(/\./g, '\\.')} .* has no driver for the Intel PRO/1000 MT Desktop \\(82540EM\\) \\(PCI 8086:100e\\) that hardware profile virtualbox-ide needs`),
    );
    // The cloud kernel builds ext4 in: virtio alone needs only its virtio modules.
    expect(names(hardwareModules(cloudIndex, familyVariants('virtio')))).not.toContain('ext4');
  });

  it('indexes a base.kernel tree without modules.dep in a shadow folder, never writing into it', async () => {
    const tree = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-kpath-'));
    const v = generic.version;
    fs.mkdirSync(path.join(tree, 'boot'));
    fs.symlinkSync(generic.path, path.join(tree, 'boot', `vmlinuz-${v}`));
    const mods = path.join(tree, 'lib', 'modules', v);
    fs.mkdirSync(mods, { recursive: true });
    fs.symlinkSync(path.join(generic.modulesDir!, 'kernel'), path.join(mods, 'kernel'));
    fs.copyFileSync(path.join(generic.modulesDir!, 'modules.builtin'), path.join(mods, 'modules.builtin'));
    fs.chmodSync(mods, 0o555);
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-home-'));
    try {
      const k = kernelFromPath(path.join(tree, 'boot', `vmlinuz-${v}`), tree);
      expect(k.modulesDir).toBe(mods);
      const idx = await ensureModuleIndex(k, home);
      expect(fs.existsSync(path.join(mods, 'modules.dep'))).toBe(false);
      // ext4 is a module in this kernel, so its closure (with crc32c first) comes along.
      before(names(hardwareModules(idx, familyVariants('vmware'))), 'crc32c_generic', 'ext4');
    } finally {
      fs.chmodSync(mods, 0o755);
      fs.rmSync(tree, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
