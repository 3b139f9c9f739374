import crypto from 'node:crypto';
import path from 'node:path';
import { DISK_FORMATS, type DiskFormat } from './formats';
import { CancelledError } from '../tools/run';
import { hashInputs, type CacheEntry } from './cache';
import { buildDataDisk, uuidFromHex } from './datadisk';
import { exportDisk, exportName } from './exports';
import { hashWithPrefix } from './hash';
import { ovaDiskName, writeOva } from './ova';
import type { Stage } from './runner';
import { cached, type BuildContext, type DiskSource } from './stages';

/*
 * The stages after the root filesystem: data disks, exports and the OVA. The data disks need
 * nothing of the OS, so they are made while the OS disk is; the exports start on each disk as
 * soon as it is written.
 */

/** Like Promise.all, but returns (or throws the first error) only once every promise settled: no work outlives its stage. */
async function settleAll<T>(ps: Promise<T>[]): Promise<T[]> {
  const rs = await Promise.allSettled(ps);
  const bad = rs.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (bad) throw bad.reason;
  return rs.map((r) => (r as PromiseFulfilledResult<T>).value);
}

/** Ids in the filesystem and its exports come from what decides the content: reproducible anywhere. */
function dataContent(fl: { sizeBytes: number }, label: string): string {
  return hashInputs({ size: fl.sizeBytes, label });
}

function dataDisk(ctx: BuildContext, fl: { name: string; sizeBytes: number }): Promise<[CacheEntry, boolean]> {
  const data = ctx.spec.disks.data!;
  const parts = { stage: 'data-disk', size: fl.sizeBytes, label: data.label, tool: ctx.tools!.mke2fs };
  return cached(ctx, parts, async (tmp) => {
    await buildDataDisk({ out: path.join(tmp, 'data.raw'), sizeBytes: fl.sizeBytes, label: data.label, uuid: uuidFromHex(dataContent(fl, data.label)), epoch: ctx.epoch, signal: ctx.signal });
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
    const hits = await settleAll(
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

/** The OS disk once written (maybe still being hashed), or a cancel when the build stops first. */
function osSource(ctx: BuildContext): Promise<DiskSource> {
  const signal = ctx.signal;
  if (!signal) return ctx.osSource.promise;
  if (signal.aborted) return Promise.reject(new CancelledError());
  return new Promise<DiskSource>((resolve, reject) => {
    const onAbort = () => reject(new CancelledError());
    signal.addEventListener('abort', onAbort, { once: true });
    ctx.osSource.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

async function sourceOf(ctx: BuildContext, disk: 'os' | 'data'): Promise<DiskSource | null> {
  if (disk === 'os') return osSource(ctx);
  const fl = ctx.flavours[0];
  const e = fl && ctx.data.get(fl.name);
  return e ? { key: e.key, raw: path.join(e.dir, 'data.raw'), seed: dataContent(fl, ctx.spec.disks.data!.label) } : null;
}

/** One export of one disk; the exports and OVA stages ask for the same vmdk and share it. */
async function exportOf(ctx: BuildContext, disk: 'os' | 'data', format: DiskFormat): Promise<[CacheEntry, boolean] | null> {
  const src = await sourceOf(ctx, disk);
  if (!src) return null;
  const name = exportName(`${ctx.spec.name}-${disk}`, format);
  const parts = { stage: 'export', src: src.key, format, name, tool: ctx.tools!['qemu-img'] };
  const seed = hashInputs({ src: src.seed, format });
  const r = await cached(ctx, parts, async (tmp) => {
    const out = path.join(tmp, name);
    await ctx.convertLane.run(() => exportDisk(src.raw, out, format, seed, ctx.epoch, ctx.signal));
    // A fixed VHD is the raw disk plus a 512-byte footer: its digest continues the raw disk's.
    if (format === 'vhd') await hashWithPrefix(out, src.raw, ctx.signal);
  });
  ctx.exports.set(`${disk}.${format}`, r[0]);
  return r;
}

/**
 * Export formats in the order they are made: the OVA's vmdks first, so the OVA is written while
 * the rest convert, then the format table's order. raw is the built disk itself, not an export.
 */
export function exportFormats(ctx: Pick<BuildContext, 'formats' | 'ova'>): DiskFormat[] {
  const wanted = new Set<DiskFormat>(ctx.formats.filter((f) => f !== 'raw'));
  // The OVA carries streamOptimized vmdks of both disks.
  if (ctx.ova) wanted.add('vmdk');
  const rank = (f: DiskFormat) => (f === 'vmdk' ? -1 : DISK_FORMATS.indexOf(f));
  return [...wanted].sort((a, b) => rank(a) - rank(b));
}

export const exportsStage: Stage<BuildContext> = {
  name: 'exports',
  // Not after os-disk: each OS export starts as soon as the disk is written, while it is hashed.
  after: ['rootfs', 'data-disk'],
  async run(ctx, progress) {
    const formats = exportFormats(ctx);
    if (formats.length === 0) return 'skipped';
    const jobs = formats.flatMap((format) => (['os', 'data'] as const).map((disk) => ({ disk, format, p: exportOf(ctx, disk, format) })));
    let done = 0;
    const hits = await settleAll(
      jobs.map(async (j) => {
        const r = await j.p;
        progress(++done / jobs.length, exportName(`${ctx.spec.name}-${j.disk}`, j.format));
        return r ? r[1] : true;
      }),
    );
    return hits.every(Boolean);
  },
};

export const ovaStage: Stage<BuildContext> = {
  name: 'ova',
  after: ['rootfs', 'data-disk'],
  async run(ctx) {
    if (!ctx.ova) return 'skipped';
    const { spec } = ctx;
    const vmdks: { disk: 'os' | 'data'; entry: CacheEntry }[] = [];
    for (const [disk, r] of await settleAll((['os', 'data'] as const).map(async (disk) => [disk, await exportOf(ctx, disk, 'vmdk')] as const))) {
      if (r) vmdks.push({ disk, entry: r[0] });
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
