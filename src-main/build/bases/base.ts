// The seam for what sits under an appliance's own files: a userland. Busybox is the first; a
// Debian base from packages is the next, as a new file beside it, not a new `if` in the stages.
import type { CpioTree } from '../cpio';
import type { KernelInfo } from '../kernel';
import type { KernelModule } from '../modules';

export interface BaseTreeInput {
  kernel: KernelInfo;
  /** The modules to ship, in load order (the hardware's drivers and the base's own wants). */
  modules: KernelModule[];
  signal?: AbortSignal;
}

export interface Base {
  /** The spec's `base.userland` value this base answers to. */
  readonly userland: string;
  /**
   * The userland is too big for an initramfs: tree() is then only a small initramfs that mounts
   * the real root, an erofs image on its own OS disk partition (the rootfs stage makes it).
   */
  readonly rootOnDisk?: boolean;
  /** A folder of busybox applets for Yoke's init, put first on its PATH (when the userland lacks them). */
  readonly toolPath?: string;
  /**
   * What makes this base's bytes what they are, beyond the kernel and modules (program files,
   * generated scripts): hashed into the base stage's cache key, so a change rebuilds it.
   */
  identity(): Record<string, unknown>;
  /** Kernel modules the base itself needs (names), on top of the drivers the hardware needs. */
  modulesWanted(): string[];
  /** Of those, the ones init may load off the boot's critical path (in the background). */
  lateModules(): string[];
  /** The base's file tree: the lowest layer of the rootfs. */
  tree(input: BaseTreeInput): Promise<CpioTree>;
}
