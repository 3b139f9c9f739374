import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hashInputs, type CacheEntry } from './cache';
import { describeFinding, scanHygiene } from './hygiene';
import { ensureKernel, kernelFromPath, type KernelInfo } from './kernel';
import { buildApplianceTree, buildBaseTree, kernelModules, writeLayer } from './layers';
import { baseFor } from './bases';
import type { KernelModule } from './modules';
import { ensureModuleIndex } from './module-index';
import { familyVariants } from '../vm/hardware';
import { buildOsDisk, KERNEL_CMDLINE } from './osdisk';
import { slotCfg, SLOT_PLACEHOLDER, SLOT_TEMPLATE } from './boot-loader';
import { checkHostSymlinks, RootfsError, walkOverlay, type OverlayFile } from './rootfs';
import type { Stage } from './runner';
import { buildToolNames } from '../tools/catalogue';
import { toolIdentities } from './tool-ids';
import { giveBuffer, hashFile, hashingWriter, takeBuffer } from './hash';
import { CancelledError } from '../tools/run';
import { buildRootImage, ROOT_IMAGE, uuidFrom } from './bases/debian-root';
import { ROOT_FLAG } from './bases/debian-stage1';
import { updaterTree } from './updates/update-stages';

/**
 * Bump when a stage's output changes for the same inputs through a code change that the keys do
 * not already see (generated scripts are hashed into the keys themselves).
 */
export const STAGE_FORMAT = 'yoke-build-3';

/** Fixed timestamp for every file in every image unless SOURCE_DATE_EPOCH says otherwise (FAT cannot go before 1980). */
export const DEFAULT_EPOCH = 1704067200;

import type { BuildContext } from './context';
export type { BuildContext, Deferred, DiskSource } from './context';
export { deferred } from './context';

export function stageKey(ctx: BuildContext, parts: Record<string, unknown>): string {
  return hashInputs({ format: STAGE_FORMAT, epoch: ctx.epoch, ...parts });
}

/** The stage's entry from the cache, or built by `fill`; stages asking for the same key at once share one build. */
export function cached(ctx: BuildContext, parts: Record<string, unknown>, fill: (tmp: string) => Promise<Record<string, unknown> | void>): Promise<[CacheEntry, boolean]> {
  const key = stageKey(ctx, parts);
  ctx.usedKeys.add(key);
  const shared = ctx.pending.get(key);
  if (shared) return shared.then(([e]) => [e, true]);
  const hit = ctx.cache.get(key);
  const p: Promise<[CacheEntry, boolean]> = hit ? Promise.resolve([hit, true]) : ctx.cache.put(key, fill, { signal: ctx.signal }).then((e) => [e, false]);
  ctx.pending.set(key, p);
  return p;
}

/** Kernel identity without its path: the same kernel fetched into two homes gives the same cache keys. */
function kernelIdentity(k: KernelInfo): string {
  const st = fs.statSync(k.path);
  return `${k.version}:${st.size}:${Math.floor(st.mtimeMs)}`;
}

const file = (e: CacheEntry, name: string) => path.join(e.dir, name);
export const sha = (e: CacheEntry, name: string) => e.files.find((f) => f.name === name)?.sha256 ?? '';

/** Concatenates files into `out`, hashing on the way (the cache then does not read `out` again). */
function copyHashing(from: string | string[], out: string): void {
  const w = hashingWriter(out);
  const chunk = takeBuffer();
  try {
    for (const src of typeof from === 'string' ? [from] : from) {
      const fd = fs.openSync(src, 'r');
      try {
        for (let n; (n = fs.readSync(fd, chunk, 0, chunk.length, null)) > 0; ) w.write(chunk.subarray(0, n));
      } finally {
        fs.closeSync(fd);
      }
    }
    w.close();
  } catch (e) {
    w.abort();
    throw e;
  } finally {
    giveBuffer(chunk);
  }
}

/** Asynchronous like the walk: hashing a big overlay must not stall the UI served by the same process. */
async function overlayDigest(files: OverlayFile[], signal?: AbortSignal): Promise<string> {
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(`${f.kind}\0${f.rel}\0${f.mode}\0${f.target ?? ''}\0`);
    // Content, not stat data: the key must match across processes; the memo only spares re-reading.
    if (f.kind === 'file') h.update(await hashFile(f.abs, signal));
  }
  return h.digest('hex');
}

export const inputsStage: Stage<BuildContext> = {
  name: 'inputs',
  after: [],
  async run(ctx) {
    // The update medium's vmdk (made wherever update packages are) is a qemu-img convert too.
    const needsQemuImg = ctx.ova || ctx.formats.some((f) => f !== 'raw') || Boolean(ctx.updates);
    ctx.tools = toolIdentities(buildToolNames().filter((t) => t !== 'qemu-img' || needsQemuImg));
    const { spec } = ctx;
    // Virtio alone keeps Debian's small cloud kernel; VirtualBox/VMware hardware needs the generic one.
    const flavour = spec.vm.hardware.every((f) => f === 'virtio') ? 'cloud' : 'generic';
    ctx.kernel = spec.base.kernel === 'auto' ? await ensureKernel(ctx.home, { signal: ctx.signal, log: (t) => ctx.log('info', t), flavour }) : kernelFromPath(spec.base.kernel, spec.dir);
    // A driver the declared hardware needs and this kernel lacks fails here, naming both.
    ctx.moduleIndex = await ensureModuleIndex(ctx.kernel, ctx.home, ctx.signal);
    ctx.modules = kernelModules(ctx.moduleIndex, spec.vm.hardware.flatMap(familyVariants), baseFor(spec.base.userland));
    ctx.overlay = spec.rootfs.overlay ? await walkOverlay(spec.rootfs.overlay, spec.rootfs.exclude, ctx.signal) : [];
    const osBytes = spec.disks.os.sizeBytes;
    const big = ctx.overlay.find((f) => f.kind === 'file' && f.size > osBytes);
    if (big) {
      const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
      throw new RootfsError(`The overlay file ${big.abs} (${mib(big.size)}) is bigger than the OS disk (${mib(osBytes)}). Raise disks.os.size, exclude the file, or put it on the data disk.`);
    }
    const findings = scanHygiene(ctx.overlay.map((f) => ({ rel: f.rel, abs: f.abs, size: f.size, isDir: f.kind !== 'file', nlink: f.nlink, inode: f.inode })));
    for (const f of findings) {
      const text = describeFinding(f);
      if (ctx.strict) throw new RootfsError(`Strict build refused: ${text}`);
      ctx.warnings.push(text);
      ctx.log('warn', text);
    }
    ctx.overlayDigest = await overlayDigest(ctx.overlay, ctx.signal);
  },
};

export const baseStage: Stage<BuildContext> = {
  name: 'base',
  after: ['inputs'],
  async run(ctx) {
    const k = ctx.kernel!;
    const base = baseFor(ctx.spec.base.userland);
    const wanted = ctx.modules!.map((m) => m.relPath);
    const [entry, hit] = await cached(ctx, { stage: 'base', userland: base.userland, kernel: kernelIdentity(k), base: base.identity(), wanted, zstd: ctx.tools!.zstd }, async (tmp) => {
      const { tree, modules } = await buildBaseTree(k, base, ctx.modules!, ctx.signal);
      await writeLayer(tree, path.join(tmp, 'base.zst'), ctx.epoch, ctx.signal);
      return { modules, paths: tree.sorted().map((e) => e.path) };
    });
    ctx.base = entry;
    return hit;
  },
};

export const rootfsStage: Stage<BuildContext> = {
  name: 'rootfs',
  after: ['base', 'debian-packages'],
  async run(ctx) {
    const { spec } = ctx;
    const basePaths = new Set(ctx.base!.meta.paths as string[]);
    const modules = ctx.base!.meta.modules as KernelModule[];
    const data = spec.disks.data ? { label: spec.disks.data.label, mount: spec.disks.data.mount } : null;
    const state = data && spec.base.state.length ? { state: { dataMount: data.mount, dirs: spec.base.state } } : {};
    const tools = baseFor(spec.base.userland).toolPath ? { toolPath: baseFor(spec.base.userland).toolPath } : {};
    const layer = { name: spec.name, version: spec.version, services: spec.services.map((s) => ({ name: s.name, run: s.run })), data, consoleShell: spec.vm.console !== 'none', ...state, ...tools };
    const lateModules = baseFor(spec.base.userland).lateModules();
    // Checked on every build (cheap): a host-only symlink target may appear or vanish between builds.
    const probe = buildApplianceTree({ ...layer, overlay: [], kernel: ctx.kernel!, modules, lateModules });
    const overlayPaths = new Set(ctx.overlay!.map((f) => f.rel));
    checkHostSymlinks(ctx.overlay!, (p) => {
      const rel = p.replace(/^\/+/, '');
      return basePaths.has(rel) || overlayPaths.has(rel) || probe.has(rel);
    });
    // The generated files themselves are part of the key, so a change to the init generator rebuilds.
    const generated = probe.sorted().map((e) => ('data' in e ? `${e.path}:${e.data.toString('base64')}` : e.path));
    if (ctx.packageSet) {
      // A Debian base: the appliance's layer goes into the erofs root over the package set; the
      // initramfs loaded every module already (its files are gone after switch_root).
      // The updater lives in the root (over the appliance's files, so an overlay cannot replace its key).
      const updater = ctx.updates ? updaterTree(ctx, { inRoot: true }) : null;
      const parts = { stage: 'rootfs-erofs', base: ctx.base!.key, packages: sha(ctx.packageSet, 'base.tar'), yoke: baseFor(spec.base.userland).identity(), layer, generated, overlay: ctx.overlayDigest, updater: updater?.parts ?? null, tools: toolIdentities(['mkfs.erofs', 'fakeroot', 'cpio']) };
      const [entry, hit] = await cached(ctx, parts, async (tmp) => {
        const tree = buildApplianceTree({ ...layer, overlay: ctx.overlay!, kernel: ctx.kernel!, modules: [], lateModules: [] });
        // From content only (never tool paths or the kernel file's mtime): the same anywhere. Each
        // version's root has its own UUID, so the initramfs finds the slot's root among the two.
        const uuid = uuidFrom(hashInputs({ epoch: ctx.epoch, packages: parts.packages, layer, generated, overlay: ctx.overlayDigest, ...(updater ? { updater: updater.parts } : {}) }));
        await buildRootImage({ baseTar: file(ctx.packageSet!, 'base.tar'), appliance: tree, ...(updater ? { updater: updater.tree() } : {}), out: path.join(tmp, ROOT_IMAGE), work: ctx.work, epoch: ctx.epoch, uuid, signal: ctx.signal });
        return { uuid };
      });
      ctx.rootfs = entry;
      return hit;
    }
    const [entry, hit] = await cached(ctx, { stage: 'rootfs', base: ctx.base!.key, layer, generated, overlay: ctx.overlayDigest, zstd: ctx.tools!.zstd }, async (tmp) => {
      const tree = buildApplianceTree({ ...layer, overlay: ctx.overlay!, kernel: ctx.kernel!, modules, lateModules });
      await writeLayer(tree, path.join(tmp, 'rootfs.zst'), ctx.epoch, ctx.signal);
    });
    ctx.rootfs = entry;
    return hit;
  },
};

/** The bootable OS disk, plus the kernel, initrd and command line for direct-boot test runs. */
async function buildOs(ctx: BuildContext): Promise<boolean> {
  const k = ctx.kernel!;
  const t = ctx.tools!;
  // A Debian base: the initramfs finds its erofs root (a second partition) by the root's UUID.
  const rootImage = ctx.packageSet ? file(ctx.rootfs!, ROOT_IMAGE) : undefined;
  const cmdline = rootImage ? `${KERNEL_CMDLINE} ${ROOT_FLAG}=${ctx.rootfs!.meta.uuid as string}` : KERNEL_CMDLINE;
  const parts = {
    stage: 'os-disk',
    kernel: kernelIdentity(k),
    base: sha(ctx.base!, 'base.zst'),
    rootfs: sha(ctx.rootfs!, rootImage ? ROOT_IMAGE : 'rootfs.zst'),
    ...(ctx.updater ? { updater: sha(ctx.updater, 'updater.zst') } : {}),
    size: ctx.spec.disks.os.sizeBytes,
    cmdline,
    tools: [t.sfdisk, t['mkfs.vfat'], t.mcopy, t.mmd, t['grub-mkimage'], t['boot.img'], t['BOOTX64-modules']],
    layout: 'gpt-grub-ab-1',
  };
  // Ids written into the disk and its exports come from content only (never tool paths or homes): reproducible anywhere.
  const content = hashInputs({ base: parts.base, rootfs: parts.rootfs, ...(ctx.updater ? { updater: sha(ctx.updater, 'updater.zst') } : {}), kernel: `${k.version}:${fs.statSync(k.path).size}`, size: parts.size, cmdline: parts.cmdline, layout: parts.layout });
  const id = content.slice(0, 8);
  const key = stageKey(ctx, parts);
  const [entry, hit] = await cached(ctx, parts, async (tmp) => {
    const initrds = [
      { name: 'base.zst', path: file(ctx.base!, 'base.zst') },
      ...(rootImage ? [] : [{ name: 'rootfs.zst', path: file(ctx.rootfs!, 'rootfs.zst') }]),
      // The updater layer (src-main/upgrade) goes last, so the appliance's overlay cannot replace its key.
      ...(ctx.updater ? [{ name: 'updater.zst', path: file(ctx.updater, 'updater.zst') }] : []),
    ];
    await buildOsDisk({ out: path.join(tmp, 'os.raw'), sizeBytes: ctx.spec.disks.os.sizeBytes, appliance: ctx.spec.name, version: ctx.spec.version, kernel: k.path, initrds, cmdline, id, epoch: ctx.epoch, signal: ctx.signal, rootImage });
    // The exports start now, reading the disk through a link in the build's scratch folder (the
    // temp dir is renamed once everything is hashed).
    const early = path.join(ctx.work, `os-${key}.raw`);
    try {
      fs.linkSync(path.join(tmp, 'os.raw'), early);
      ctx.osSource.resolve({ key, raw: early, seed: content });
      // Let the first export spawn before the copies below take the thread.
      await new Promise((r) => setImmediate(r));
    } catch {
      // No link (another filesystem): the exports wait for the finished entry instead.
    }
    // Direct-boot files for test runs (qemu -kernel/-initrd/-append with the control flag added).
    copyHashing(k.path, path.join(tmp, 'vmlinuz'));
    // Streamed and hashed as it is written: never the whole initrd in memory, never read twice.
    copyHashing(initrds.map((r) => r.path), path.join(tmp, 'initrd.zst'));
    fs.writeFileSync(path.join(tmp, 'cmdline'), `${cmdline}\n`);
    // The slot entry's template, as slot a holds it: update packages carry it (src-main/build/updates).
    fs.writeFileSync(path.join(tmp, SLOT_TEMPLATE), slotCfg({ appliance: ctx.spec.name, version: ctx.spec.version, slot: SLOT_PLACEHOLDER, kernel: 'vmlinuz', initrds: initrds.map((r) => r.name), cmdline }));
  });
  ctx.os = entry;
  // A hit, or no early link: the entry's own file (a second resolve changes nothing).
  ctx.osSource.resolve({ key, raw: file(entry, 'os.raw'), seed: content });
  return hit;
}

export const osDiskStage: Stage<BuildContext> = {
  name: 'os-disk',
  // 'updater' is skipped (and done at once) unless the build makes update packages.
  after: ['rootfs', 'updater'],
  async run(ctx) {
    try {
      return await buildOs(ctx);
    } catch (e) {
      // The exports waiting for the disk stop too; the error to report is this one.
      ctx.osSource.reject(new CancelledError());
      throw e;
    }
  },
};
