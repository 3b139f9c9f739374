import fs from 'node:fs';
import { zstdCompress } from '../tools/zstd';
import type { Base } from './bases/base';
import { writeCpio, type CpioTree } from './cpio';
import type { KernelInfo } from './kernel';
import { guestModulePath, hardwareModules, type KernelModule, type ModuleIndex } from './modules';
import type { HardwareVariant } from '../vm/hardware';
import { applianceTree, type OverlayFile } from './rootfs';

/** Writes a tree as a deterministic cpio and compresses it with multi-threaded zstd (the kernel has RD_ZSTD). */
export async function writeLayer(tree: CpioTree, out: string, epoch: number, signal?: AbortSignal): Promise<{ entries: number; cpioBytes: number }> {
  const cpio = `${out}.cpio`;
  try {
    const cpioBytes = await writeCpio(tree.sorted(), cpio, epoch, signal);
    await zstdCompress(cpio, out, { level: 3, threads: 0, signal });
    return { entries: tree.size, cpioBytes };
  } catch (e) {
    fs.rmSync(out, { force: true });
    throw e;
  } finally {
    fs.rmSync(cpio, { force: true });
  }
}

/**
 * The declared hardware's drivers (chosen from the kernel's own modules.alias, build/modules.ts),
 * then what the base itself wants, each after its dependencies and softdeps.
 */
export function kernelModules(index: ModuleIndex, variants: readonly HardwareVariant[], base: Base): KernelModule[] {
  return hardwareModules(index, variants, base.modulesWanted());
}

export async function buildBaseTree(kernel: KernelInfo, base: Base, modules: KernelModule[], signal?: AbortSignal): Promise<{ tree: CpioTree; modules: KernelModule[] }> {
  return { tree: await base.tree({ kernel, modules, signal }), modules };
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
  /** Modules init may load in the background (the base's late ones). */
  lateModules: string[];
  state?: { dataMount: string; dirs: string[] };
  toolPath?: string;
}

export function buildApplianceTree(i: RootfsLayerInput): CpioTree {
  return applianceTree({
    name: i.name,
    version: i.version,
    services: i.services,
    data: i.data,
    consoleShell: i.consoleShell,
    overlay: i.overlay,
    state: i.state,
    toolPath: i.toolPath,
    modules: i.modules.filter((m) => !i.lateModules.includes(m.name)).map((m) => guestModulePath(i.kernel.version, m)),
    acpiModules: i.modules.filter((m) => i.lateModules.includes(m.name)).map((m) => guestModulePath(i.kernel.version, m)),
  });
}
