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
import { FAT_MODULES, guestModulePath, namedModules } from '../modules';
import { IMAGE_BUSYBOX } from '../bases/debian-stage1';
import { ROOT_IMAGE } from '../bases/debian-root';
import { COMMIT_CHECKS_PATH, commitChecksScript } from '../../checks/commit-script';
import { SLOT_TEMPLATE } from '../boot-loader';
import type { BuildContext } from '../context';
import type { Stage } from '../runner';
import { baseFor } from '../bases';
import { resourcesDir } from '../../util/resources';
import { zstdPatchFrom } from '../../tools/zstd';
import { fileEntry, rootEntry, unpackPackage, writePackage, type PackageFile } from './package';
import { diffPackageName, fullPackageName } from './package-files';
import { generateUpdater, GUEST_PATHS } from './updater-script';
import { buildUpdateMedium, mediumName } from './medium';

export type { UpdateBuildOptions } from './options';

const rootOnDisk = (ctx: BuildContext) => Boolean(baseFor(ctx.spec.base.userland).rootOnDisk);

export const UPDATER_LAYER = 'updater.zst';

export function guestHelper(name: 'yoke-verify' | 'yoke-unpatch'): string {
  const p = path.join(resourcesDir(), 'guest', 'bin', name);
  if (!fs.existsSync(p)) throw new Error(`The appliance updater's helper ${p} is missing. Run \`npm run setup\` (it compiles resources/guest with gcc, libsodium-dev and libzstd-dev).`);
  return p;
}

/** Files of the OS as the OS disk holds them (name on the disk -> host path), kernel first. */
export function osFiles(ctx: BuildContext): { name: string; path: string }[] {
  const f = (e: CacheEntry, n: string) => ({ name: n, path: path.join(e.dir, n) });
  // A Debian base's slot holds its kernel and initramfs only; its root is on a partition.
  if (rootOnDisk(ctx)) return [{ name: 'vmlinuz', path: ctx.kernel!.path }, f(ctx.base!, 'base.zst')];
  return [{ name: 'vmlinuz', path: ctx.kernel!.path }, f(ctx.base!, 'base.zst'), f(ctx.rootfs!, 'rootfs.zst'), ...(ctx.updater ? [f(ctx.updater, UPDATER_LAYER)] : [])];
}

async function cached(ctx: BuildContext, parts: Record<string, unknown>, fill: (tmp: string) => Promise<void>): Promise<[CacheEntry, boolean]> {
  const key = hashInputs({ format: 'yoke-update-1', epoch: ctx.epoch, ...parts });
  ctx.usedKeys.add(key);
  const hit = ctx.cache.get(key);
  if (hit) return [hit, true];
  return [await ctx.cache.put(key, fill), false];
}

/**
 * The updater's files (script, verifier, patcher, public key, FAT modules) as a tree, and what
 * makes them what they are (for cache keys). A busybox base carries them as a third initrd; a
 * Debian base inside its erofs root (the initramfs loaded the FAT modules: `fatModules` empty).
 */
export function updaterTree(ctx: BuildContext, o: { inRoot: boolean }): { tree: () => CpioTree; parts: Record<string, unknown> } {
  const k = ctx.kernel!;
  const { spec } = ctx;
  const modules = o.inRoot ? [] : fatModules(ctx);
  const script = generateUpdater({ name: spec.name, version: spec.version, dataMount: spec.disks.data?.mount ?? null, fatModules: modules.map((m) => guestModulePath(k.version, m)), readyWithinS: spec.upgrade.readyWithinS, settleS: spec.upgrade.settleS });
  // The Debian root's busybox runs it (its applets first on PATH); /sbin is usr/sbin there (merged /usr).
  const shebanged = o.inRoot ? script.replace(/^#!\/bin\/sh/, `#!${IMAGE_BUSYBOX} sh`) : script;
  const scriptPath = o.inRoot ? `/usr${GUEST_PATHS.script}` : GUEST_PATHS.script;
  const verify = guestHelper('yoke-verify');
  const unpatch = guestHelper('yoke-unpatch');
  // upgrade.commit-checks: the spec's checks, as a script the updater runs before it commits a trial.
  const checks = spec.upgrade.commitChecks ? commitChecksScript(spec.checks, spec.services) : null;
  const parts = { stage: 'updater', inRoot: o.inRoot, kernel: k.version, modules: modules.map((m) => [m.relPath, sha256Of(path.join(k.modulesDir!, m.relPath))]), script: shebanged, checks, pub: ctx.updates!.key.publicRaw.toString('hex'), helpers: [sha256Of(verify), sha256Of(unpatch)] };
  // The tree only on a cache miss: a warm build needs the key parts alone.
  const tree = () => {
    const t = new CpioTree();
    const text = (p: string, data: Buffer | string, mode = 0o644) => t.add({ path: p.slice(1), type: 'file', mode, data: Buffer.from(data) });
    text(scriptPath, shebanged, 0o755);
    text(GUEST_PATHS.publicKey, ctx.updates!.key.publicRaw);
    text(GUEST_PATHS.release, `${spec.name} ${spec.version}\n`);
    if (checks) text(COMMIT_CHECKS_PATH, checks, 0o755);
    for (const [guest, host] of [[GUEST_PATHS.verify, verify], [GUEST_PATHS.unpatch, unpatch]]) t.add({ path: guest.slice(1), type: 'file', mode: 0o755, source: host, size: fs.statSync(host).size });
    for (const m of modules) {
      const src = path.join(k.modulesDir!, m.relPath);
      t.add({ path: guestModulePath(k.version, m).slice(1), type: 'file', mode: 0o644, source: src, size: fs.statSync(src).size });
    }
    return t;
  };
  return { tree, parts };
}

function fatModules(ctx: BuildContext) {
  const k = ctx.kernel!;
  if (!k.modulesDir) throw new Error(`The kernel ${k.path} has no modules folder; the updater needs its vfat module.`);
  return namedModules(ctx.moduleIndex!, FAT_MODULES, 'the updater (it reads update packages from a FAT disk)');
}

export const updaterStage: Stage<BuildContext> = {
  name: 'updater',
  after: ['inputs'],
  async run(ctx) {
    // A Debian base's updater goes into its root image (the rootfs stage calls updaterTree).
    if (!ctx.updates || rootOnDisk(ctx)) return 'skipped';
    const { tree, parts } = updaterTree(ctx, { inRoot: false });
    const [entry, hit] = await cached(ctx, { ...parts, zstd: ctx.tools!.zstd }, async (tmp) => {
      await writeLayer(tree(), path.join(tmp, UPDATER_LAYER), ctx.epoch, ctx.signal);
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
    const { spec } = ctx;
    // The slot's files on the boot partition, its entry's template (the updater fills in the slot
    // it writes), and for a Debian base the root image that goes to the slot's root partition.
    const slotFiles = [...osFiles(ctx), { name: SLOT_TEMPLATE, path: path.join(ctx.os!.dir, SLOT_TEMPLATE) }];
    const root = rootOnDisk(ctx) ? { name: ROOT_IMAGE, path: path.join(ctx.rootfs!.dir, ROOT_IMAGE) } : null;
    const initrds = osFiles(ctx).slice(1).map((f) => f.name);
    const cmdline = fs.readFileSync(path.join(ctx.os!.dir, 'cmdline'), 'utf8').trim();
    const shas = [...slotFiles, ...(root ? [root] : [])].map((f) => [f.name, sha256Of(f.path)]);
    const signer = u.key.publicRaw.toString('hex');
    const fullName = fullPackageName(spec.name, spec.version);
    const [full, hitFull] = await cached(ctx, { stage: 'update-full', name: spec.name, version: spec.version, shas, cmdline, signer }, async (tmp) => {
      const files = [...slotFiles.map((f) => fileEntry(f.name, f.path)), ...(root ? [rootEntry(root.name, root.path)] : [])];
      await writePackage(path.join(tmp, fullName), { appliance: spec.name, version: spec.version, type: 'full', initrds, cmdline, files }, privateKey, ctx.epoch);
    });
    ctx.updatePackages = [{ kind: 'update-full', entry: full, name: fullName }];
    let hitDiff = true;
    if (u.diffFrom && fs.existsSync(u.diffFrom.fullPackage)) {
      const d = u.diffFrom;
      const diffName = diffPackageName(spec.name, d.version, d.buildId, spec.version);
      const [diff, hit] = await cached(ctx, { stage: 'update-diff', name: spec.name, version: spec.version, shas, cmdline, signer, base: sha256Of(d.fullPackage), file: diffName, from: d }, async (tmp) => {
        const old = path.join(tmp, 'old');
        fs.mkdirSync(old);
        try {
          await unpackPackage(d.fullPackage, old);
          const entries = await diffEntries(slotFiles, root, old, ctx.signal);
          await writePackage(path.join(tmp, diffName), { appliance: spec.name, version: spec.version, type: 'diff', from: { version: d.version, buildId: d.buildId }, initrds, cmdline, files: entries }, privateKey, ctx.epoch);
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

/** A diff package's entries against the older build's unpacked full package in `old`. */
async function diffEntries(slotFiles: { name: string; path: string }[], root: { name: string; path: string } | null, old: string, signal?: AbortSignal): Promise<PackageFile[]> {
  const entries: PackageFile[] = [];
  for (const f of slotFiles) {
    const sha = sha256Of(f.path);
    const base = path.join(old, f.name);
    if (!fs.existsSync(base)) entries.push(fileEntry(f.name, f.path));
    else {
      const oldSha = sha256Of(base);
      if (oldSha === sha) entries.push({ kind: 'same', name: f.name, sha256: sha, oldSha256: oldSha });
      else {
        const patchPath = path.join(old, `${f.name}.zpatch`);
        await zstdPatchFrom(base, f.path, patchPath, { signal });
        entries.push({ kind: 'patch', name: f.name, sha256: sha, oldSha256: oldSha, patchPath });
      }
    }
  }
  if (root) {
    const base = path.join(old, root.name);
    // Every version's root differs (its UUID is its own): a patch against the running one, or whole.
    if (!fs.existsSync(base)) entries.push(rootEntry(root.name, root.path));
    else {
      const patchPath = path.join(old, `${root.name}.zpatch`);
      await zstdPatchFrom(base, root.path, patchPath, { signal });
      entries.push({ kind: 'rootpatch', name: root.name, sha256: sha256Of(root.path), size: fs.statSync(root.path).size, oldSha256: sha256Of(base), oldSize: fs.statSync(base).size, patchPath });
    }
  }
  return entries;
}

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
