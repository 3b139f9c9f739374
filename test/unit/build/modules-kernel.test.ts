import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findKernel, kernelFromPath } from '../../../src-main/build/kernel';
import { readModuleDepends, resolveModules } from '../../../src-main/build/modules';

function fakeKo(depends: string): Buffer {
  return Buffer.concat([Buffer.from('\x7fELF....'), Buffer.from(`\0license=GPL\0depends=${depends}\0vermagic=6.1\0`)]);
}

function fakeModules(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-mods-'));
  const add = (rel: string, deps: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), fakeKo(deps));
  };
  add('kernel/drivers/virtio/virtio_ring.ko', '');
  add('kernel/drivers/virtio/virtio.ko', 'virtio_ring');
  add('kernel/drivers/virtio/virtio_pci.ko', 'virtio_ring,virtio');
  add('kernel/drivers/block/virtio_blk.ko', 'virtio,virtio_ring');
  add('kernel/drivers/net/net_failover.ko', 'failover');
  add('kernel/net/core/failover.ko', '');
  add('kernel/drivers/net/virtio_net.ko', 'virtio_ring,virtio,net_failover');
  fs.writeFileSync(path.join(dir, 'modules.builtin'), 'kernel/drivers/acpi/button.ko\n');
  return dir;
}

describe('kernel modules', () => {
  it('reads depends= from a module', () => {
    expect(readModuleDepends(fakeKo('virtio_ring,net-failover'))).toEqual(['virtio_ring', 'net_failover']);
    expect(readModuleDepends(fakeKo(''))).toEqual([]);
  });

  it('orders modules after their dependencies (virtio_ring before virtio) and skips built-ins', () => {
    const mods = resolveModules(fakeModules(), ['virtio_pci', 'virtio_blk', 'virtio_net', 'button']);
    expect(mods.map((m) => m.name)).toEqual(['virtio_ring', 'virtio', 'virtio_pci', 'virtio_blk', 'failover', 'net_failover', 'virtio_net']);
    expect(mods[0].relPath).toBe('kernel/drivers/virtio/virtio_ring.ko');
  });

  it('names a module the kernel lacks and who needed it', () => {
    expect(() => resolveModules(fakeModules(), ['e1000'])).toThrow(/has no module "e1000" \(needed by the appliance\)/);
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
