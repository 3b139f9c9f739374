import fs from 'node:fs';
import { zstdCompress } from '../tools/zstd';
import { busyboxApplets, findStaticBusybox } from '../tools/busybox';
import { baseTree, guestModulePath } from './base';
import { writeCpio, type CpioTree } from './cpio';
import type { KernelInfo } from './kernel';
import { ACPI_MODULES, APPLIANCE_MODULES, resolveModules, type KernelModule } from './modules';
import { applianceTree, type OverlayFile } from './rootfs';

/** Writes a tree as a deterministic cpio and compresses it with multi-threaded zstd (the kernel has RD_ZSTD). */
export async function writeLayer(tree: CpioTree, out: string, epoch: number, signal?: AbortSignal): Promise<{ entries: number; cpioBytes: number }> {
  const cpio = `${out}.cpio`;
  try {
    const cpioBytes = writeCpio(tree.sorted(), cpio, epoch);
    await zstdCompress(cpio, out, { level: 3, threads: 0, signal });
    return { entries: tree.size, cpioBytes };
  } catch (e) {
    fs.rmSync(out, { force: true });
    throw e;
  } finally {
    fs.rmSync(cpio, { force: true });
  }
}

export function kernelModules(kernel: KernelInfo): KernelModule[] {
  if (!kernel.modulesDir) {
    const where = kernel.source === 'spec' ? ' inside the appliance folder (modules are never read from outside it): put them at lib/modules/' + kernel.version + ' in the folder' : ` (lib/modules/${kernel.version})`;
    throw new Error(`The kernel ${kernel.path} has no modules folder${where}; the appliance needs virtio modules from it.`);
  }
  return resolveModules(kernel.modulesDir, APPLIANCE_MODULES);
}

export async function buildBaseTree(kernel: KernelInfo, signal?: AbortSignal): Promise<{ tree: CpioTree; modules: KernelModule[] }> {
  const busybox = findStaticBusybox();
  const applets = await busyboxApplets(busybox, { signal });
  const modules = kernelModules(kernel);
  return { tree: baseTree({ busybox, applets, kernelVersion: kernel.version, modulesDir: kernel.modulesDir!, modules }), modules };
}

export interface RootfsLayerInput {
  name: string;
  version: string;
  services: { name: string; run: string }[];
  data: { label: string; mount: string } | null;
  /** A root shell on the serial console (spec vm.console), default on. */
  consoleShell?: boolean;
  overlay: OverlayFile[];
  kernel: KernelInfo;
  modules: KernelModule[];
}

export function buildApplianceTree(i: RootfsLayerInput): CpioTree {
  return applianceTree({
    name: i.name,
    version: i.version,
    services: i.services,
    data: i.data,
    consoleShell: i.consoleShell,
    overlay: i.overlay,
    modules: i.modules.filter((m) => !ACPI_MODULES.includes(m.name)).map((m) => guestModulePath(i.kernel.version, m)),
    acpiModules: i.modules.filter((m) => ACPI_MODULES.includes(m.name)).map((m) => guestModulePath(i.kernel.version, m)),
  });
}
