// What every build stage reads and fills in as the build runs: one object per build, passed to
// each stage (the runner's context). Kept apart from the stages so stage modules in subfolders
// (updates/) can use it without importing the stages they run beside.
import type { DebianLock } from './bases/debian-lock';
import type { ApplianceSpec } from '../spec/types';
import type { DiskFormat } from './formats';
import type { CacheEntry, StageCache } from './cache';
import type { KernelInfo } from './kernel';
import type { Lane } from './lane';
import type { KernelModule, ModuleIndex } from './modules';
import type { OverlayFile } from './rootfs';
import type { LogLevel } from './runner';
import type { UpdateBuildOptions } from './updates/options';

export interface BuildContext {
  home: string;
  spec: ApplianceSpec;
  cache: StageCache;
  epoch: number;
  strict: boolean;
  signal?: AbortSignal;
  log(level: LogLevel, text: string): void;
  warnings: string[];
  /** Data disks to make: '' is the default (disks.data), others are flavour names. */
  flavours: { name: string; sizeBytes: number }[];
  formats: DiskFormat[];
  ova: boolean;
  signing?: { keyPem: string; certPem: string };
  // Filled in as stages run:
  tools?: Record<string, string>;
  kernel?: KernelInfo;
  /** depmod's index of the kernel's modules, and the closure the declared hardware and the base need (in load order). */
  moduleIndex?: ModuleIndex;
  modules?: KernelModule[];
  overlay?: OverlayFile[];
  overlayDigest?: string;
  base?: CacheEntry;
  /** `yoke build --refresh`: resolve base.packages again and rewrite appliance.lock. */
  refreshLock?: boolean;
  /** A Debian base's installed package set (base.tar), from the debian-packages stage. */
  packageSet?: CacheEntry;
  /** The appliance.lock this build installed from (kept in the build folder: eviction and Compare read it). */
  debianLock?: DebianLock;
  rootfs?: CacheEntry;
  os?: CacheEntry;
  data: Map<string, CacheEntry>;
  exports: Map<string, CacheEntry>;
  ovaEntry?: CacheEntry;
  usedKeys: Set<string>;
  /** Stages running at the same time that need the same entry share one promise (one build, one hash). */
  pending: Map<string, Promise<[CacheEntry, boolean]>>;
  /**
   * qemu-img converts one at a time: on two cores the other one hashes what the last convert
   * wrote, and two converts at once would only fight over it.
   */
  convertLane: Lane;
  /** This build's scratch folder (removed when it ends). */
  work: string;
  /**
   * The OS disk as soon as it is written, before it is hashed into the cache: its exports start
   * converting while the hash runs. Rejected (as a cancel) when the os-disk stage fails.
   */
  osSource: Deferred<DiskSource>;
  /** Update packages and the in-image updater (src-main/upgrade): only when given. */
  updates?: UpdateBuildOptions;
  updater?: CacheEntry;
  updatePackages?: { kind: 'update-full' | 'update-diff'; entry: CacheEntry; name: string }[];
  /** The update medium of the full package: its raw disk and its vmdk (build/updates/medium.ts). */
  updateMedium?: { entry: CacheEntry; raw: string; vmdk: string };
}

/** A raw disk that exports can read: its cache key, where it is now, and the seed that pins export ids. */
export interface DiskSource {
  key: string;
  raw: string;
  seed: string;
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody may be waiting (a build without exports): a rejection then is nobody's error.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

