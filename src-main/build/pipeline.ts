import fs from 'node:fs';
import path from 'node:path';
import type { ApplianceSpec } from '../spec/types';
import { cpSparse } from '../tools/cp';
import { formatLock } from './bases/debian-lock';
import type { DiskFormat } from './formats';
import { DEFAULT_CACHE_LIMIT, hashInputs, StageCache, type CacheEntry } from './cache';
import { isDiskFormat, OUTPUT_FORMATS } from './formats';
import { runStages, type LogLevel, type Stage, type StageReport } from './runner';
import { mediumStage, packagesStage, updaterStage, type UpdateBuildOptions } from './updates/update-stages';
import { Lane } from './lane';
import { debianPackagesStage } from './bases/debian-packages';
import { dataDiskStage, exportsStage, flavoursStage, ovaStage } from './output-stages';
import { baseStage, DEFAULT_EPOCH, deferred, inputsStage, osDiskStage, rootfsStage, type BuildContext } from './stages';
import { syncDir, syncTree } from './durable';

export interface BuildArtifact {
  format: string;
  disk?: 'os' | 'data';
  /** disk | flavour | export | ova | kernel | initrd | cmdline */
  kind: string;
  path: string;
  bytes: number;
  sha256: string;
  flavour?: string;
}

export interface BuildOptions {
  home: string;
  spec: ApplianceSpec;
  /** Which flavour's data disk is the main one (and goes into exports); default: disks.data, plus every flavour's disk. */
  flavour?: string;
  /** Defaults to spec.outputs. */
  outputs?: string[];
  noCache?: boolean;
  /** A Debian base: resolve base.packages again and rewrite appliance.lock. */
  refresh?: boolean;
  /** Hygiene findings fail the build instead of warning. */
  strict?: boolean;
  /** Where the artifacts go; must not exist or be empty. Default <home>/builds/<name>/<version>-<n>/. */
  buildDir?: string;
  signing?: { keyPem: string; certPem: string };
  /** Build the in-image updater and the update packages, signed with this appliance key. */
  updates?: UpdateBuildOptions;
  cacheLimitBytes?: number;
  signal?: AbortSignal;
  onProgress?(stage: string, fraction: number, msg?: string): void;
  onLog?(level: LogLevel, text: string): void;
  onStage?(s: { name: string; status: string; cacheHit: boolean; durationMs: number }): void;
}

export interface BuildResult {
  buildDir: string;
  inputsHash: string;
  artifacts: BuildArtifact[];
  stages: StageReport[];
  warnings: string[];
}

/**
 * Every artifact is a hard link to the cache's file, made read-only, so a warm build copies
 * nothing and the build dir keeps its files after the cache evicts their entry. Nothing writes
 * a build's raw disks in place: VMs boot the OS disk with snapshot=on and take a copy of the data
 * disk first. (A write by root through a link changes the mtime, which voids the cache entry.)
 */
async function linkOrCopy(src: string, dest: string, signal?: AbortSignal): Promise<void> {
  try {
    fs.chmodSync(src, 0o444);
    fs.linkSync(src, dest);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw e;
    await cpSparse(src, dest, { signal });
    fs.chmodSync(dest, 0o444);
  }
}

/** The next free <version>-<n> folder, claimed by creating it (mkdir fails if another build took it first). */
function reserveBuildDir(home: string, spec: ApplianceSpec): string {
  const parent = path.join(home, 'builds', spec.name);
  fs.mkdirSync(parent, { recursive: true });
  const prefix = `${spec.version}-`;
  let n = 1 + Math.max(0, ...fs.readdirSync(parent).filter((d) => d.startsWith(prefix)).map((d) => Number(d.slice(prefix.length)) || 0));
  for (;;) {
    const dir = path.join(parent, `${prefix}${n}`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      n++;
    }
  }
}

function flavoursFor(spec: ApplianceSpec, flavour?: string): { name: string; sizeBytes: number }[] {
  if (!spec.disks.data) return [];
  if (flavour !== undefined) {
    const f = spec.flavours[flavour];
    if (!f) throw new Error(`There is no flavour "${flavour}" in ${spec.name}'s appliance.yaml (flavours: ${Object.keys(spec.flavours).join(', ') || 'none'}).`);
    return [{ name: flavour, sizeBytes: f.dataBytes }];
  }
  return [{ name: '', sizeBytes: spec.disks.data.sizeBytes }, ...Object.entries(spec.flavours).map(([name, f]) => ({ name, sizeBytes: f.dataBytes }))];
}

/** Builds an appliance: cached stages, then the artifacts copied into a fresh build dir that appears complete or not at all. */
export async function runBuild(opts: BuildOptions): Promise<BuildResult> {
  const { spec, home } = opts;
  const outputs = opts.outputs ?? spec.outputs;
  for (const o of outputs) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(o)) throw new Error(`Unknown output "${o}"; choose from ${OUTPUT_FORMATS.join(', ')}.`);
  }
  const envEpoch = Number(process.env.SOURCE_DATE_EPOCH);
  fs.mkdirSync(path.join(home, 'tmp'), { recursive: true });
  const work = fs.mkdtempSync(path.join(home, 'tmp', `build-${process.pid}-`));
  const cache = new StageCache(opts.noCache ? work : home, opts.cacheLimitBytes ?? DEFAULT_CACHE_LIMIT);
  const warnings: string[] = [];
  // Stages run side by side: the first failure stops the others (their tools are killed).
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop.abort();
  const ctx: BuildContext = {
    home,
    spec,
    cache,
    epoch: Number.isInteger(envEpoch) && envEpoch >= 315532800 ? envEpoch : DEFAULT_EPOCH,
    strict: !!opts.strict,
    refreshLock: !!opts.refresh,
    signal: stop.signal,
    log: (level, text) => opts.onLog?.(level, text),
    warnings,
    flavours: flavoursFor(spec, opts.flavour),
    formats: outputs.filter(isDiskFormat) as DiskFormat[],
    ova: outputs.includes('ova'),
    signing: opts.signing,
    updates: opts.updates,
    data: new Map(),
    exports: new Map(),
    usedKeys: new Set(),
    pending: new Map(),
    work,
    osSource: deferred(),
    convertLane: new Lane(1),
  };
  const artifacts: BuildArtifact[] = [];
  let finalDir: string | undefined;
  let staging: string | undefined;
  const collect: Stage<BuildContext> = {
    name: 'collect',
    after: ['os-disk', 'data-disk', 'flavours', 'exports', 'ova', 'update-packages', 'update-medium'],
    async run(c) {
      finalDir = opts.buildDir ? path.resolve(opts.buildDir) : reserveBuildDir(home, spec);
      if (opts.buildDir) {
        fs.mkdirSync(finalDir, { recursive: true });
        if (fs.readdirSync(finalDir).length) throw new Error(`The build folder ${finalDir} is not empty; give an empty or new folder.`);
      }
      staging = fs.mkdtempSync(path.join(path.dirname(finalDir), `.${path.basename(finalDir)}.partial-`));
      const put = async (e: CacheEntry, name: string, rel: string, a: Omit<BuildArtifact, 'path' | 'bytes' | 'sha256'>) => {
        const f = e.files.find((x) => x.name === name);
        if (!f) throw new Error(`The cache entry ${e.key} lacks ${name}; run the build again with --no-cache.`);
        fs.mkdirSync(path.dirname(path.join(staging!, rel)), { recursive: true });
        await linkOrCopy(path.join(e.dir, name), path.join(staging!, rel), c.signal);
        artifacts.push({ ...a, path: path.join(finalDir!, rel), bytes: f.bytes, sha256: f.sha256 });
      };
      await put(c.os!, 'os.raw', 'os.raw', { format: 'raw', disk: 'os', kind: 'disk' });
      for (const [i, fl] of c.flavours.entries()) {
        const e = c.data.get(fl.name);
        if (!e) continue;
        if (i === 0) await put(e, 'data.raw', 'data.raw', { format: 'raw', disk: 'data', kind: 'disk', ...(fl.name ? { flavour: fl.name } : {}) });
        else await put(e, 'data.raw', `data-${fl.name}.raw`, { format: 'raw', disk: 'data', kind: 'flavour', flavour: fl.name });
      }
      await put(c.os!, 'vmlinuz', 'boot/vmlinuz', { format: 'bzImage', kind: 'kernel' });
      await put(c.os!, 'initrd.zst', 'boot/initrd.zst', { format: 'cpio.zst', kind: 'initrd' });
      await put(c.os!, 'cmdline', 'boot/cmdline', { format: 'text', kind: 'cmdline' });
      // In the spec's order, whatever order the exports finished in (a vmdk made only for the OVA stays out).
      for (const format of c.formats) {
        for (const disk of ['os', 'data'] as const) {
          const e = c.exports.get(`${disk}.${format}`);
          if (e) await put(e, e.files[0].name, `exports/${e.files[0].name}`, { format, disk, kind: 'export' });
        }
      }
      for (const u of c.updatePackages ?? []) await put(u.entry, u.name, `updates/${u.name}`, { format: 'yup', kind: u.kind });
      const m = c.updateMedium;
      if (m) for (const [name, format] of [[m.vmdk, 'vmdk'], [m.raw, 'raw']]) await put(m.entry, name, `updates/${name}`, { format, kind: 'update-medium' });
      if (c.ovaEntry) await put(c.ovaEntry, c.ovaEntry.files[0].name, c.ovaEntry.files[0].name, { format: 'ova', kind: 'ova' });
      // The lock a Debian base was installed from: which kept packages this build needs (a
      // released build's are never evicted) and what Compare lists as package differences.
      if (c.debianLock) fs.writeFileSync(path.join(staging, 'appliance.lock'), formatLock(c.debianLock));
      fs.writeFileSync(path.join(staging, 'build.json'), JSON.stringify({ appliance: spec.name, version: spec.version, artifacts }, null, 2));
      // On disk before it is published (the artifacts are mostly links to synced cache files, so cheap).
      if (process.env.YOKE_NO_FSYNC !== '1') await syncTree(staging, { linkedAreDurable: true });
      // rename(2) replaces the empty reserved folder: the build dir appears complete in one step.
      fs.renameSync(staging, finalDir);
      staging = undefined;
      if (process.env.YOKE_NO_FSYNC !== '1') await syncDir(path.dirname(finalDir));
    },
    cleanup() {
      if (staging) fs.rmSync(staging, { recursive: true, force: true });
      if (finalDir && artifacts.length === 0) fs.rmSync(finalDir, { recursive: true, force: true });
    },
  };
  const hooks = { signal: opts.signal, stop, onProgress: opts.onProgress, onLog: opts.onLog, onStage: opts.onStage };
  let stages: StageReport[];
  try {
    stages = await runStages([inputsStage, baseStage, debianPackagesStage, rootfsStage, updaterStage, osDiskStage, packagesStage, mediumStage, dataDiskStage, flavoursStage, exportsStage, ovaStage, collect], ctx, hooks);
  } catch (e) {
    if (finalDir && !staging && fs.existsSync(finalDir) && fs.readdirSync(finalDir).length === 0) fs.rmSync(finalDir, { recursive: true, force: true });
    if (finalDir && opts.buildDir === undefined) fs.rmSync(finalDir, { recursive: true, force: true });
    throw e;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    fs.rmSync(work, { recursive: true, force: true });
  }
  // A build that only reused entries did not grow the cache: no need to weigh it.
  if (!opts.noCache && cache.added > 0) {
    const removed = cache.evict(undefined, ctx.usedKeys);
    if (removed.length) opts.onLog?.('debug', `cache: evicted ${removed.length} least recently used entries`);
  }
  const inputsHash = hashInputs({ keys: [...ctx.usedKeys].sort() });
  return { buildDir: finalDir!, inputsHash, artifacts, stages, warnings };
}
