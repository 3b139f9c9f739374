import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findKernel, kernelFromPath } from '../../../src-main/build/kernel';
import { driversFor, loadModuleIndex, moduleClosure } from '../../../src-main/build/modules';

/** A kernel tree as depmod leaves it: empty .ko files plus the text index the closure reads. */
function fakeModules(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-mods-'));
  const mods: Record<string, string> = {
    'kernel/drivers/virtio/virtio_ring.ko': '',
    'kernel/drivers/virtio/virtio.ko': 'kernel/drivers/virtio/virtio_ring.ko',
    'kernel/drivers/virtio/virtio_pci.ko': 'kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko',
    'kernel/drivers/block/virtio_blk.ko': 'kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko',
    'kernel/drivers/net/net_failover.ko': 'kernel/net/core/failover.ko',
    'kernel/net/core/failover.ko': '',
    'kernel/drivers/net/virtio_net.ko': 'kernel/drivers/net/net_failover.ko kernel/net/core/failover.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko',
    'kernel/fs/ext4/ext4.ko': 'kernel/fs/jbd2/jbd2.ko',
    'kernel/fs/jbd2/jbd2.ko': '',
    'kernel/crypto/crc32c_generic.ko': '',
    'kernel/arch/x86/crypto/crc32c-intel.ko': '',
    'kernel/drivers/input/evdev.ko': '',
    'kernel/drivers/net/e1000.ko': 'kernel/lib/missing.ko',
  };
  let dep = '';
  for (const [rel, deps] of Object.entries(mods)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), '');
    dep += `${rel}: ${deps}\n`;
  }
  dep += 'kernel/lib/missing.ko:\n';
  fs.writeFileSync(path.join(dir, 'modules.dep'), dep);
  fs.writeFileSync(path.join(dir, 'modules.builtin'), 'kernel/drivers/acpi/button.ko\n');
  fs.writeFileSync(
    path.join(dir, 'modules.alias'),
    ['alias pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci', 'alias crypto-crc32c crc32c_intel', 'alias crypto-crc32c crc32c_generic', 'alias pci:v00008086d0000100Esv*sd*bc*sc*i* e1000', 'alias pci:v*d*sv*sd*bc02sc00i* evdev', ''].join('\n'),
  );
  fs.writeFileSync(path.join(dir, 'modules.softdep'), 'softdep ext4 pre: crypto-crc32c\nsoftdep jbd2 pre: crypto-crc32c\n');
  return dir;
}

const why = (names: string[]) => names.map((name) => ({ name, why: 'the test' }));

describe('kernel module closure', () => {
  it('orders modules after their dependencies (virtio_ring before virtio) and skips built-ins', () => {
    const mods = moduleClosure(loadModuleIndex(fakeModules(), 'fake'), why(['virtio_pci', 'virtio_blk', 'virtio_net', 'button']));
    expect(mods.map((m) => m.name)).toEqual(['virtio_ring', 'virtio', 'virtio_pci', 'virtio_blk', 'failover', 'net_failover', 'virtio_net']);
    expect(mods[0].relPath).toBe('kernel/drivers/virtio/virtio_ring.ko');
  });

  it('loads a softdep first, choosing the generic crc32c behind the alias', () => {
    const mods = moduleClosure(loadModuleIndex(fakeModules(), 'fake'), why(['ext4']));
    expect(mods.map((m) => m.name)).toEqual(['crc32c_generic', 'jbd2', 'ext4']);
  });

  it('picks the vendor:device driver over a class match', () => {
    const idx = loadModuleIndex(fakeModules(), 'fake');
    expect(driversFor(idx, 'pci:v00008086d0000100Esv00000000sd00000000bc02sc00i00').modules).toEqual(['e1000']);
    expect(driversFor(idx, 'pci:v00001234d00005678sv00000000sd00000000bc02sc00i00').modules).toEqual(['evdev']);
  });

  it('names a module the kernel lacks and what needed it', () => {
    expect(() => moduleClosure(loadModuleIndex(fakeModules(), 'fake-6.1'), why(['ahci']))).toThrow(/The kernel fake-6.1 has no module "ahci" \(needed for the test\)/);
  });

  it('names a dependency missing from the kernel package and who depends on it', () => {
    expect(() => moduleClosure(loadModuleIndex(fakeModules(), 'fake-6.1'), why(['e1000']))).toThrow(/lists module "missing" in modules.dep but .*missing.ko is missing \(a dependency of e1000\)/);
  });

  it('refuses a tree without modules.dep', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-mods-'));
    expect(() => loadModuleIndex(dir, 'bare')).toThrow(/has no modules.dep/);
  });
});

describe('findKernel', () => {
  it('prefers a readable host kernel with modules, newest first', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-host-'));
    const boot = path.join(root, 'boot');
    const mods = path.join(root, 'modules');
    fs.mkdirSync(boot);
    for (const v of ['6.1.0-9-amd64', '6.1.0-10-amd64', '6.2.0-1-amd64']) fs.writeFileSync(path.join(boot, `vmlinuz-${v}`), 'k');
    fs.mkdirSync(path.join(mods, '6.1.0-9-amd64'), { recursive: true });
    fs.mkdirSync(path.join(mods, '6.1.0-10-amd64'), { recursive: true });
    const k = findKernel(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-home-')), { bootDir: boot, modulesRoot: mods });
    expect(k).toEqual({ path: path.join(boot, 'vmlinuz-6.1.0-10-amd64'), version: '6.1.0-10-amd64', source: 'host', modulesDir: path.join(mods, '6.1.0-10-amd64') });
  });

  it('falls back to a kernel fetched into the cache', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-home-'));
    const v = '6.1.0-56-cloud-amd64';
    const dir = path.join(home, 'cache', 'kernels', v);
    fs.mkdirSync(path.join(dir, 'boot'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'lib', 'modules', v), { recursive: true });
    fs.writeFileSync(path.join(dir, 'boot', `vmlinuz-${v}`), 'k');
    fs.mkdirSync(path.join(home, 'cache', 'kernels', '.fetch-half'), { recursive: true });
    expect(findKernel(home, { bootDir: '/nonexistent', modulesRoot: '/nonexistent' })).toMatchObject({ version: v, source: 'cache' });
  });

  // Issue 15 item 10: base.kernel: PATH read modules from <folder>/../lib/modules (and the host's /lib/modules).
  it('takes a spec kernel\'s modules only from inside the appliance folder', () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-kpath-'));
    const app = path.join(parent, 'app');
    const v = '6.1.0-99-test';
    fs.mkdirSync(path.join(parent, 'lib', 'modules', v), { recursive: true }); // beside the folder: never used
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, `vmlinuz-${v}`), 'k');
    expect(kernelFromPath(path.join(app, `vmlinuz-${v}`), app).modulesDir).toBeUndefined();
    // a symlink inside the folder that leads out is no way around it
    fs.symlinkSync(path.join(parent, 'lib'), path.join(app, 'lib'));
    expect(kernelFromPath(path.join(app, `vmlinuz-${v}`), app).modulesDir).toBeUndefined();
    fs.rmSync(path.join(app, 'lib'));
    fs.mkdirSync(path.join(app, 'lib', 'modules', v), { recursive: true });
    expect(kernelFromPath(path.join(app, `vmlinuz-${v}`), app).modulesDir).toBe(path.join(app, 'lib', 'modules', v));
    fs.mkdirSync(path.join(app, 'boot'));
    fs.renameSync(path.join(app, `vmlinuz-${v}`), path.join(app, 'boot', `vmlinuz-${v}`));
    expect(kernelFromPath(path.join(app, 'boot', `vmlinuz-${v}`), app).modulesDir).toBe(path.join(app, 'lib', 'modules', v));
    fs.rmSync(parent, { recursive: true });
  });
});
