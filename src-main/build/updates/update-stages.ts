// Build stages for updates: the updater layer (a third initrd with /sbin/yoke-update, the static
// verifier, the FAT modules and the appliance's public key) and the update packages made from
// the OS disk's files. They run only when the build is given `updates` (the engine always does).
import fs from 'node:fs';
import path from 'node:path';
import { hashInputs, type CacheEntry } from '../cache';
// Memoised by file identity within the process: warm rebuilds must not re-read the kernel and layers.
import { hashFileSync as sha256Of } from '../hash';
import { CpioTree } from '../cpio';
import { writeLayer } from '../layers';
import { guestModulePath, namedModules } from '../modules';
import { KERNEL_CMDLINE } from '../osdisk';
import { SLOT_TEMPLATE } from '../boot-loader';
import type { BuildContext } from '../context';
import type { Stage } from '../runner';
import { baseFor } from '../bases';
import { resourcesDir } from '../../util/resources';
import { zstdPatchFrom } from '../../tools/zstd';
import { fileEntry, unpackPackage, writePackage, type PackageFile } from './package';
import { diffPackageName, fullPackageName } from './package-files';
import { generateUpdater, GUEST_PATHS } from './updater-script';
import { buildUpdateMedium, mediumName } from './medium';

export type { UpdateBuildOptions } from './options';

const rootOnDisk = (ctx: BuildContext) => Boolean(baseFor(ctx.spec.base.userland).rootOnDisk);

export const FAT_MODULES = ['vfat', 'nls_cp437', 'nls_ascii', 'nls_utf8'];
export const UPDATER_LAYER = 'updater.zst';

export function guestHelper(name: 'yoke-verify' | 'yoke-unpatch'): string {
  const p = path.join(resourcesDir(), 'guest', 'bin', name);
  if (!fs.existsSync(p)) throw new Error(`The appliance updater's helper ${p} is missing. Run \`npm run setup\` (it compiles resources/guest with gcc, libsodium-dev and libzstd-dev).`);
  return p;
}

/** Files of the OS as the OS disk holds them (name on the disk -> host path), kernel first. */
export function osFiles(ctx: BuildContext): { name: string; path: string }[] {
  const f = (e: CacheEntry, n: string) => ({ name: n, path: path.join(e.dir, n) });
  return [{ name: 'vmlinuz', path: ctx.kernel!.path }, f(ctx.base!, 'base.zst'), f(ctx.rootfs!, 'rootfs.zst'), ...(ctx.updater ? [f(ctx.updater, UPDATER_LAYER)] : [])];
}

async function cached(ctx: BuildContext, parts: Record<string, unknown>, fill: (tmp: string) => Promise<void>): Promise<[CacheEntry, boolean]> {
  const key = hashInputs({ format: 'yoke-update-1', epoch: ctx.epoch, ...parts });
  ctx.usedKeys.add(key);
  const hit = ctx.cache.get(key);
  if (hit) return [hit, true];
  return [await ctx.cache.put(key, fill), false];
}

export const updaterStage: Stage<BuildContext> = {
  name: 'updater',
  after: ['inputs'],
  async run(ctx) {
    if (!ctx.updates || rootOnDisk(ctx)) return 'skipped';
    const k = ctx.kernel!;
    if (!k.modulesDir) throw new Error(`The kernel ${k.path} has no modules folder; the updater needs its vfat module.`);
    const modules = namedModules(ctx.moduleIndex!, FAT_MODULES, 'the updater (it reads update packages from a FAT disk)');
    const { spec } = ctx;
    const script = generateUpdater({ name: spec.name, version: spec.version, dataMount: spec.disks.data?.mount ?? null, fatModules: modules.map((m) => guestModulePath(k.version, m)), readyWithinS: spec.upgrade.readyWithinS, settleS: spec.upgrade.settleS });
    const verify = guestHelper('yoke-verify');
    const unpatch = guestHelper('yoke-unpatch');
    const parts = { stage: 'updater', kernel: k.version, modules: modules.map((m) => [m.relPath, sha256Of(path.join(k.modulesDir!, m.relPath))]), script, pub: ctx.updates.key.publicRaw.toString('hex'), helpers: [sha256Of(verify), sha256Of(unpatch)], zstd: ctx.tools!.zstd };
    const [entry, hit] = await cached(ctx, parts, async (tmp) => {
      const t = new CpioTree();
      const text = (p: string, data: Buffer | string, mode = 0o644) => t.add({ path: p, type: 'file', mode, data: Buffer.from(data) });
      text(GUEST_PATHS.script, script, 0o755);
      text(GUEST_PATHS.publicKey, ctx.updates!.key.publicRaw);
      text(GUEST_PATHS.release, `${spec.name} ${spec.version}\n`);
      for (const [guest, host] of [[GUEST_PATHS.verify, verify], [GUEST_PATHS.unpatch, unpatch]]) t.add({ path: guest, type: 'file', mode: 0o755, source: host, size: fs.statSync(host).size });
      for (const m of modules) {
        const src = path.join(k.modulesDir!, m.relPath);
        t.add({ path: guestModulePath(k.version, m), type: 'file', mode: 0o644, source: src, size: fs.statSync(src).size });
      }
      await writeLayer(t, path.join(tmp, UPDATER_LAYER), ctx.epoch, ctx.signal);
    });
    ctx.updater = entry;
    return hit;
  },
};

export const packagesStage: Stage<BuildContext> = {
  name: 'update-packages',
  after: ['os-disk'],
  async run(ctx) {
    const u = ctx.updates;
    if (!u) return 'skipped';
    if (u.key.warning) {
      ctx.warnings.push(u.key.warning);
      ctx.log('warn', u.key.warning);
    }
    if (!u.key.privateKey) {
      ctx.warnings.push(u.key.notice!);
      ctx.log('warn', u.key.notice!);
      return 'skipped';
    }
    const privateKey = u.key.privateKey;
    if (rootOnDisk(ctx)) {
      // The updater swaps FAT files; a root on its own partition needs A/B root slots (not yet).
      ctx.log('info', 'no update packages: a Debian base is upgraded by replacing its OS disk (update packages for it are not made yet)');
      return 'skipped';
    }
    const { spec } = ctx;
    const osFilesNow = osFiles(ctx);
    const initrds = osFilesNow.slice(1).map((f) => f.name);
    // The slot entry's template travels with the files: the updater fills in the slot it writes.
    const files = [...osFilesNow, { name: SLOT_TEMPLATE, path: path.join(ctx.os!.dir, SLOT_TEMPLATE) }];
    const shas = files.map((f) => [f.name, sha256Of(f.path)]);
    const signer = u.key.publicRaw.toString('hex');
    const fullName = fullPackageName(spec.name, spec.version);
    const [full, hitFull] = await cached(ctx, { stage: 'update-full', name: spec.name, version: spec.version, shas, cmdline: KERNEL_CMDLINE, signer }, async (tmp) => {
      await writePackage(path.join(tmp, fullName), { appliance: spec.name, version: spec.version, type: 'full', initrds, cmdline: KERNEL_CMDLINE, files: files.map((f) => fileEntry(f.name, f.path)) }, privateKey, ctx.epoch);
    });
    ctx.updatePackages = [{ kind: 'update-full', entry: full, name: fullName }];
    let hitDiff = true;
    if (u.diffFrom && fs.existsSync(u.diffFrom.fullPackage)) {
      const d = u.diffFrom;
      const diffName = diffPackageName(spec.name, d.version, d.buildId, spec.version);
      const [diff, hit] = await cached(ctx, { stage: 'update-diff', name: spec.name, version: spec.version, shas, cmdline: KERNEL_CMDLINE, signer, base: sha256Of(d.fullPackage), file: diffName, from: d }, async (tmp) => {
        const old = path.join(tmp, 'old');
        fs.mkdirSync(old);
        try {
          await unpackPackage(d.fullPackage, old);
          const entries: PackageFile[] = [];
          for (const f of files) {
            const sha = sha256Of(f.path);
            const base = path.join(old, f.name);
            if (!fs.existsSync(base)) entries.push(fileEntry(f.name, f.path));
            else {
              const oldSha = sha256Of(base);
              if (oldSha === sha) entries.push({ kind: 'same', name: f.name, sha256: sha, oldSha256: oldSha });
              else {
                const patchPath = path.join(old, `${f.name}.zpatch`);
                await zstdPatchFrom(base, f.path, patchPath, { signal: ctx.signal });
                entries.push({ kind: 'patch', name: f.name, sha256: sha, oldSha256: oldSha, patchPath });
              }
            }
          }
          await writePackage(path.join(tmp, diffName), { appliance: spec.name, version: spec.version, type: 'diff', from: { version: d.version, buildId: d.buildId }, initrds, cmdline: KERNEL_CMDLINE, files: entries }, privateKey, ctx.epoch);
        } finally {
          fs.rmSync(old, { recursive: true, force: true });
        }
      });
      ctx.updatePackages.push({ kind: 'update-diff', entry: diff, name: diffName });
      hitDiff = hit;
    } else if (u.diffFrom) ctx.log('warn', `no diff update package: build #${u.diffFrom.buildId} has no full update package at ${u.diffFrom.fullPackage}`);
    return hitFull && hitDiff;
  },
};

/**
 * The update medium for offline customers: the full package on a small FAT disk, as raw (Yoke's
 * own boots) and vmdk (attached in VirtualBox or VMware). Its ids come from the package's digest.
 */
export const mediumStage: Stage<BuildContext> = {
  name: 'update-medium',
  after: ['update-packages'],
  async run(ctx) {
    const full = ctx.updatePackages?.find((p) => p.kind === 'update-full');
    if (!full) return 'skipped';
    const { spec } = ctx;
    const pkg = path.join(full.entry.dir, full.name);
    const pkgSha = full.entry.files.find((f) => f.name === full.name)?.sha256 ?? sha256Of(pkg);
    const raw = mediumName(spec.name, spec.version, 'raw');
    const vmdk = mediumName(spec.name, spec.version, 'vmdk');
    const tools = ctx.tools ?? {};
    const [entry, hit] = await cached(ctx, { stage: 'update-medium', pkg: pkgSha, raw, vmdk, tools: [tools['mkfs.vfat'], tools.mcopy, tools['qemu-img']], epoch: ctx.epoch }, async (tmp) => {
      // A volume id of its own (the OS disk's boot partition is found by its id: the two must differ).
      const volumeId = hashInputs({ medium: pkgSha }).slice(0, 8);
      await buildUpdateMedium({ pkg, raw: path.join(tmp, raw), vmdk: path.join(tmp, vmdk), volumeId, epoch: ctx.epoch, signal: ctx.signal });
    });
    ctx.updateMedium = { entry, raw, vmdk };
    return hit;
  },
};
