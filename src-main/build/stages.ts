import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ApplianceSpec } from '../spec/types';
import type { DiskFormat } from '../tools/qemu-img';
import { hashInputs, StageCache, type CacheEntry } from './cache';
import { buildDataDisk, uuidFromHex } from './datadisk';
import { exportDisk, exportName } from './exports';
import { describeFinding, scanHygiene } from './hygiene';
import { ensureKernel, kernelFromPath, type KernelInfo } from './kernel';
import { buildApplianceTree, buildBaseTree, writeLayer } from './layers';
import { APPLIANCE_MODULES, type KernelModule } from './modules';
import { generateShutdown, generateUdhcpcScript } from './init';
import { buildOsDisk, KERNEL_CMDLINE } from './osdisk';
import { ovaDiskName, writeOva } from './ova';
import { checkHostSymlinks, RootfsError, walkOverlay, type OverlayFile } from './rootfs';
import type { LogLevel, Stage } from './runner';
import { BUSYBOX_PATH } from '../tools/busybox';
import { BUILD_TOOLS, fileIdentity as toolIdentity, toolIdentities } from './tool-ids';
import type { UpdateBuildOptions } from '../upgrade/update-stages';
import { hashFileSync, hashingWriter, hashWithPrefix } from './hash';
import { Lane } from './lane';

/**
 * Bump when a stage's output changes for the same inputs through a code change that the keys do
 * not already see (generated scripts are hashed into the keys themselves).
 */
export const STAGE_FORMAT = 'yoke-build-1';

/** Fixed timestamp for every file in every image unless SOURCE_DATE_EPOCH says otherwise (FAT cannot go before 1980). */
export const DEFAULT_EPOCH = 1704067200;

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
  overlay?: OverlayFile[];
  overlayDigest?: string;
  base?: CacheEntry;
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
  /** Update packages and the in-image updater (src-main/upgrade): only when given. */
  updates?: UpdateBuildOptions;
  updater?: CacheEntry;
  updatePackages?: { kind: 'update-full' | 'update-diff'; entry: CacheEntry; name: string }[];
}

function cached(ctx: BuildContext, parts: Record<string, unknown>, fill: (tmp: string) => Promise<Record<string, unknown> | void>): Promise<[CacheEntry, boolean]> {
  const key = hashInputs({ format: STAGE_FORMAT, epoch: ctx.epoch, ...parts });
  ctx.usedKeys.add(key);
  const shared = ctx.pending.get(key);
  if (shared) return shared.then(([e]) => [e, true]);
  const hit = ctx.cache.get(key);
  const p: Promise<[CacheEntry, boolean]> = hit ? Promise.resolve([hit, true]) : ctx.cache.put(key, fill, ctx.signal).then((e) => [e, false]);
  ctx.pending.set(key, p);
  return p;
}

/** Kernel identity without its path: the same kernel fetched into two homes gives the same cache keys. */
function kernelIdentity(k: KernelInfo): string {
  const st = fs.statSync(k.path);
  return `${k.version}:${st.size}:${Math.floor(st.mtimeMs)}`;
}

const file = (e: CacheEntry, name: string) => path.join(e.dir, name);
const sha = (e: CacheEntry, name: string) => e.files.find((f) => f.name === name)?.sha256 ?? '';

/** Concatenates files into `out`, hashing on the way (the cache then does not read `out` again). */
function copyHashing(from: string | string[], out: string): void {
  const w = hashingWriter(out);
  const chunk = Buffer.allocUnsafe(1 << 20);
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
  }
}

function overlayDigest(files: OverlayFile[]): string {
  const h = crypto.createHash('sha256');
  for (const f of files) {
    h.update(`${f.kind}\0${f.rel}\0${f.mode}\0${f.target ?? ''}\0`);
    // Content, not stat data: the key must match across processes; the memo only spares re-reading.
    if (f.kind === 'file') h.update(hashFileSync(f.abs));
  }
  return h.digest('hex');
}

export const inputsStage: Stage<BuildContext> = {
  name: 'inputs',
  after: [],
  async run(ctx) {
    const needsQemuImg = ctx.ova || ctx.formats.some((f) => f !== 'raw');
    ctx.tools = toolIdentities(Object.keys(BUILD_TOOLS).filter((t) => t !== 'qemu-img' || needsQemuImg));
    const { spec } = ctx;
    ctx.kernel = spec.base.kernel === 'auto' ? await ensureKernel(ctx.home, { signal: ctx.signal, log: (t) => ctx.log('info', t) }) : kernelFromPath(spec.base.kernel);
    ctx.overlay = spec.rootfs.overlay ? walkOverlay(spec.rootfs.overlay, spec.rootfs.exclude) : [];
    const osBytes = spec.disks.os.sizeBytes;
    const big = ctx.overlay.find((f) => f.kind === 'file' && f.size > osBytes);
    if (big) {
      const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;
      throw new RootfsError(`The overlay file ${big.abs} (${mib(big.size)}) is bigger than the OS disk (${mib(osBytes)}). Raise disks.os.size, exclude the file, or put it on the data disk.`);
    }
    const findings = scanHygiene(ctx.overlay.map((f) => ({ rel: f.rel, abs: f.abs, size: f.size, isDir: f.kind !== 'file' })));
    for (const f of findings) {
      const text = describeFinding(f);
      if (ctx.strict) throw new RootfsError(`Strict build refused: ${text}`);
      ctx.warnings.push(text);
      ctx.log('warn', text);
    }
    ctx.overlayDigest = overlayDigest(ctx.overlay);
  },
};

export const baseStage: Stage<BuildContext> = {
  name: 'base',
  after: ['inputs'],
  async run(ctx) {
    const k = ctx.kernel!;
    const generated = [generateShutdown(), generateUdhcpcScript(), APPLIANCE_MODULES];
    const [entry, hit] = await cached(ctx, { stage: 'base', kernel: kernelIdentity(k), busybox: toolIdentity(BUSYBOX_PATH), generated, zstd: ctx.tools!.zstd }, async (tmp) => {
      const { tree, modules } = await buildBaseTree(k, ctx.signal);
      await writeLayer(tree, path.join(tmp, 'base.zst'), ctx.epoch, ctx.signal);
      return { modules, paths: tree.sorted().map((e) => e.path) };
    });
    ctx.base = entry;
    return hit;
  },
};

export const rootfsStage: Stage<BuildContext> = {
  name: 'rootfs',
  after: ['base'],
  async run(ctx) {
    const { spec } = ctx;
    const basePaths = new Set(ctx.base!.meta.paths as string[]);
    const modules = ctx.base!.meta.modules as KernelModule[];
    const data = spec.disks.data ? { label: spec.disks.data.label, mount: spec.disks.data.mount } : null;
    const layer = { name: spec.name, version: spec.version, services: spec.services, data };
    // Checked on every build (cheap): a host-only symlink target may appear or vanish between builds.
    const probe = buildApplianceTree({ ...layer, overlay: [], kernel: ctx.kernel!, modules });
    const overlayPaths = new Set(ctx.overlay!.map((f) => f.rel));
    checkHostSymlinks(ctx.overlay!, (p) => {
      const rel = p.replace(/^\/+/, '');
      return basePaths.has(rel) || overlayPaths.has(rel) || probe.has(rel);
    });
    // The generated files themselves are part of the key, so a change to the init generator rebuilds.
    const generated = probe.sorted().map((e) => ('data' in e ? `${e.path}:${e.data.toString('base64')}` : e.path));
    const [entry, hit] = await cached(ctx, { stage: 'rootfs', base: ctx.base!.key, layer, generated, overlay: ctx.overlayDigest, zstd: ctx.tools!.zstd }, async (tmp) => {
      const tree = buildApplianceTree({ ...layer, overlay: ctx.overlay!, kernel: ctx.kernel!, modules });
      await writeLayer(tree, path.join(tmp, 'rootfs.zst'), ctx.epoch, ctx.signal);
    });
    ctx.rootfs = entry;
    return hit;
  },
};

export const osDiskStage: Stage<BuildContext> = {
  name: 'os-disk',
  // 'updater' is skipped (and done at once) unless the build makes update packages.
  after: ['rootfs', 'updater'],
  async run(ctx) {
    const k = ctx.kernel!;
    const t = ctx.tools!;
    const parts = {
      stage: 'os-disk',
      kernel: kernelIdentity(k),
      base: sha(ctx.base!, 'base.zst'),
      rootfs: sha(ctx.rootfs!, 'rootfs.zst'),
      ...(ctx.updater ? { updater: sha(ctx.updater, 'updater.zst') } : {}),
      size: ctx.spec.disks.os.sizeBytes,
      cmdline: KERNEL_CMDLINE,
      tools: [t.sfdisk, t['mkfs.vfat'], t.mcopy, t.syslinux],
    };
    // Ids written into the disk come from content only (never tool paths or homes): reproducible anywhere.
    const id = hashInputs({ base: parts.base, rootfs: parts.rootfs, ...(ctx.updater ? { updater: sha(ctx.updater, 'updater.zst') } : {}), kernel: `${k.version}:${fs.statSync(k.path).size}`, size: parts.size, cmdline: parts.cmdline }).slice(0, 8);
    const [entry, hit] = await cached(ctx, parts, async (tmp) => {
      const initrds = [
        { name: 'base.zst', path: file(ctx.base!, 'base.zst') },
        { name: 'rootfs.zst', path: file(ctx.rootfs!, 'rootfs.zst') },
        // The updater layer (src-main/upgrade) goes last, so the appliance's overlay cannot replace its key.
        ...(ctx.updater ? [{ name: 'updater.zst', path: file(ctx.updater, 'updater.zst') }] : []),
      ];
      await buildOsDisk({ out: path.join(tmp, 'os.raw'), sizeBytes: ctx.spec.disks.os.sizeBytes, kernel: k.path, initrds, cmdline: KERNEL_CMDLINE, id, epoch: ctx.epoch, signal: ctx.signal });
      // Direct-boot files for test runs (qemu -kernel/-initrd/-append with the control flag added).
      copyHashing(k.path, path.join(tmp, 'vmlinuz'));
      // Streamed and hashed as it is written: never the whole initrd in memory, never read twice.
      copyHashing(initrds.map((r) => r.path), path.join(tmp, 'initrd.zst'));
      fs.writeFileSync(path.join(tmp, 'cmdline'), `${KERNEL_CMDLINE}\n`);
    });
    ctx.os = entry;
    return hit;
  },
};

function dataDisk(ctx: BuildContext, fl: { name: string; sizeBytes: number }): Promise<[CacheEntry, boolean]> {
  const data = ctx.spec.disks.data!;
  const parts = { stage: 'data-disk', size: fl.sizeBytes, label: data.label, tool: ctx.tools!.mke2fs };
  return cached(ctx, parts, async (tmp) => {
    await buildDataDisk({ out: path.join(tmp, 'data.raw'), sizeBytes: fl.sizeBytes, label: data.label, uuid: uuidFromHex(hashInputs({ size: fl.sizeBytes, label: data.label })), epoch: ctx.epoch, signal: ctx.signal });
  });
}

/** The main data disk: the one that goes into the exports and the OVA. */
export const dataDiskStage: Stage<BuildContext> = {
  name: 'data-disk',
  after: ['inputs'],
  async run(ctx) {
    if (!ctx.spec.disks.data || ctx.flavours.length === 0) return 'skipped';
    const [entry, hit] = await dataDisk(ctx, ctx.flavours[0]);
    ctx.data.set(ctx.flavours[0].name, entry);
    return hit;
  },
};

/** The other flavours' data disks: only the build folder needs them, so nothing waits for them but collect. */
export const flavoursStage: Stage<BuildContext> = {
  name: 'flavours',
  after: ['inputs'],
  async run(ctx, progress) {
    const rest = ctx.flavours.slice(1);
    if (!ctx.spec.disks.data || rest.length === 0) return 'skipped';
    let done = 0;
    const hits = await Promise.all(
      rest.map(async (fl) => {
        const [entry, hit] = await dataDisk(ctx, fl);
        ctx.data.set(fl.name, entry);
        progress(++done / rest.length, fl.name);
        return hit;
      }),
    );
    return hits.every(Boolean);
  },
};

/** One export of one disk; the exports and OVA stages ask for the same vmdk and share it. */
function exportOf(ctx: BuildContext, disk: 'os' | 'data', format: DiskFormat): Promise<[CacheEntry, boolean]> | null {
  const src = disk === 'os' ? ctx.os : ctx.data.get(ctx.flavours[0]?.name ?? '');
  if (!src) return null;
  const name = exportName(`${ctx.spec.name}-${disk}`, format);
  const parts = { stage: 'export', src: src.key, format, name, tool: ctx.tools!['qemu-img'] };
  const seed = hashInputs({ src: sha(src, `${disk}.raw`), format });
  const raw = path.join(src.dir, `${disk}.raw`);
  return cached(ctx, parts, async (tmp) => {
    const out = path.join(tmp, name);
    await ctx.convertLane.run(() => exportDisk(raw, out, format, seed, ctx.epoch, ctx.signal));
    // A fixed VHD is the raw disk plus a 512-byte footer: its digest continues the raw disk's.
    if (format === 'vhd') hashWithPrefix(out, raw);
  }).then((r) => {
    ctx.exports.set(`${disk}.${format}`, r[0]);
    return r;
  });
}

/** Export formats in the order they are made: the OVA's vmdks first, so the OVA is written while the rest convert. */
function exportFormats(ctx: BuildContext): DiskFormat[] {
  const order: DiskFormat[] = ['vmdk', 'vhd', 'vdi', 'qcow2'];
  const wanted = new Set<DiskFormat>(ctx.formats.filter((f) => f !== 'raw'));
  // The OVA carries streamOptimized vmdks of both disks.
  if (ctx.ova) wanted.add('vmdk');
  return order.filter((f) => wanted.has(f));
}

export const exportsStage: Stage<BuildContext> = {
  name: 'exports',
  after: ['os-disk', 'data-disk'],
  async run(ctx, progress) {
    const jobs = exportFormats(ctx).flatMap((format) => (['os', 'data'] as const).map((disk) => ({ disk, format, p: exportOf(ctx, disk, format) })));
    const live = jobs.filter((j) => j.p !== null);
    if (live.length === 0) return 'skipped';
    let done = 0;
    const hits = await Promise.all(
      live.map(async (j) => {
        const [, hit] = await j.p!;
        progress(++done / live.length, exportName(`${ctx.spec.name}-${j.disk}`, j.format));
        return hit;
      }),
    );
    return hits.every(Boolean);
  },
};

export const ovaStage: Stage<BuildContext> = {
  name: 'ova',
  after: ['os-disk', 'data-disk'],
  async run(ctx) {
    if (!ctx.ova) return 'skipped';
    const { spec } = ctx;
    const vmdks: { disk: 'os' | 'data'; entry: CacheEntry }[] = [];
    for (const disk of ['os', 'data'] as const) {
      const p = exportOf(ctx, disk, 'vmdk');
      if (p) vmdks.push({ disk, entry: (await p)[0] });
    }
    const sizes = { os: spec.disks.os.sizeBytes, data: ctx.flavours[0]?.sizeBytes ?? 0 };
    const signer = ctx.signing ? crypto.createHash('sha256').update(ctx.signing.keyPem + ctx.signing.certPem).digest('hex') : null;
    const parts = { stage: 'ova', name: spec.name, version: spec.version, description: spec.description, vm: spec.vm, disks: vmdks.map((d) => d.entry.key), sizes, signer };
    const [entry, hit] = await cached(ctx, parts, async (tmp) => {
      await writeOva({
        name: spec.name,
        version: spec.version,
        description: spec.description,
        cpus: spec.vm.cpus,
        memoryBytes: spec.vm.memoryBytes,
        disks: vmdks.map((d) => ({ name: ovaDiskName(spec.name, d.disk), file: path.join(d.entry.dir, exportName(`${spec.name}-${d.disk}`, 'vmdk')), capacityBytes: sizes[d.disk] })),
        out: path.join(tmp, `${spec.name}-${spec.version}.ova`),
        epoch: ctx.epoch,
        signing: ctx.signing,
      });
    });
    ctx.ovaEntry = entry;
    return hit;
  },
};
