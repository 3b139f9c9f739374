import fs from 'node:fs';
import path from 'node:path';
import { aptCacheDepends, aptGetDownload } from '../tools/apt';
import { dpkgDebExtract } from '../tools/dpkg-deb';

export interface KernelInfo {
  /** The kernel image (bzImage) to boot. */
  path: string;
  /** The kernel release, e.g. 6.1.0-56-cloud-amd64 (the name of its /lib/modules folder). */
  version: string;
  source: 'host' | 'cache' | 'spec';
  /** /lib/modules/<version>, when the kernel's modules are available. */
  modulesDir?: string;
}

export interface KernelLocations {
  bootDir: string;
  modulesRoot: string;
}

const HOST: KernelLocations = { bootDir: '/boot', modulesRoot: '/lib/modules' };

/** The package `kernel: auto` fetches: Debian's cloud kernel has virtio as modules and ext4 built in. */
export const KERNEL_META_PACKAGE = 'linux-image-cloud-amd64';

export function kernelCacheDir(home: string): string {
  return path.join(home, 'cache', 'kernels');
}

function readable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.R_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Newest first, comparing release strings the way `sort -V` would. */
function byVersionDesc(a: string, b: string): number {
  return b.localeCompare(a, 'en', { numeric: true });
}

/** A kernel image in `bootDir` whose modules are in `modulesRoot/<version>`. */
function findIn(loc: KernelLocations, source: KernelInfo['source']): KernelInfo | null {
  let names: string[];
  try {
    names = fs.readdirSync(loc.bootDir);
  } catch {
    return null;
  }
  const versions = names
    .filter((n) => n.startsWith('vmlinuz-'))
    .map((n) => n.slice('vmlinuz-'.length))
    .sort(byVersionDesc);
  for (const version of versions) {
    const image = path.join(loc.bootDir, `vmlinuz-${version}`);
    const modulesDir = path.join(loc.modulesRoot, version);
    // A kernel without its modules cannot see virtio disks (they are modules in Debian's kernels).
    if (readable(image) && isDir(modulesDir)) return { path: image, version, source, modulesDir };
  }
  return null;
}

/**
 * A kernel usable for `kernel: auto`: a readable host kernel with its modules first, then one
 * previously fetched into the cache (`<home>/cache/kernels/<version>/{boot,lib/modules}`).
 */
export function findKernel(home: string, host: KernelLocations = HOST): KernelInfo | null {
  const fromHost = findIn(host, 'host');
  if (fromHost) return fromHost;
  const root = kernelCacheDir(home);
  let entries: string[];
  try {
    entries = fs.readdirSync(root).filter((n) => !n.startsWith('.')).sort(byVersionDesc);
  } catch {
    return null;
  }
  for (const entry of entries) {
    const dir = path.join(root, entry);
    const found = findIn({ bootDir: path.join(dir, 'boot'), modulesRoot: path.join(dir, 'lib', 'modules') }, 'cache');
    if (found) return found;
  }
  return null;
}

/** A kernel named in the spec (`base.kernel: path`); modules are looked up next to it or on the host. */
/**
 * A kernel named by base.kernel, with its modules from inside the appliance folder only: the
 * folder is what a build is made of, so nothing beside it (`<folder>/../lib/modules`, once read)
 * nor the host's /lib/modules may slip into the image. Symlinks are resolved before the check.
 */
export function kernelFromPath(image: string, applianceDir: string): KernelInfo {
  if (!readable(image)) {
    throw new Error(`The kernel ${image} named in base.kernel is not a readable file. Point base.kernel at a bzImage or use "auto".`);
  }
  const base = path.basename(image);
  const version = base.startsWith('vmlinuz-') ? base.slice('vmlinuz-'.length) : base;
  const candidates = [
    path.join(path.dirname(image), 'lib', 'modules', version),
    path.join(path.dirname(image), '..', 'lib', 'modules', version),
    path.join(path.dirname(image), 'modules', version),
    path.join(applianceDir, 'lib', 'modules', version),
  ];
  const modulesDir = candidates.find((c) => isDir(c) && insideFolder(applianceDir, c));
  return { path: image, version, source: 'spec', modulesDir: modulesDir ? path.resolve(modulesDir) : undefined };
}

function insideFolder(dir: string, p: string): boolean {
  try {
    const rel = path.relative(fs.realpathSync(dir), fs.realpathSync(p));
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  } catch {
    return false;
  }
}

export interface EnsureKernelOptions {
  signal?: AbortSignal;
  log?: (text: string) => void;
  host?: KernelLocations;
}

/**
 * Finds a kernel, or fetches Debian's cloud kernel without root: resolve the meta package to the
 * real linux-image-6.x package, `apt-get download` it into a temp dir under the cache, unpack it
 * with `dpkg-deb -x`, and rename the result into place so a crash never leaves a half kernel.
 */
export async function ensureKernel(home: string, opts: EnsureKernelOptions = {}): Promise<KernelInfo> {
  const found = findKernel(home, opts.host);
  if (found) return found;
  const log = opts.log ?? (() => {});
  const root = kernelCacheDir(home);
  fs.mkdirSync(root, { recursive: true });
  const pkg = await resolveKernelPackage(KERNEL_META_PACKAGE, opts.signal);
  log(`fetching kernel package ${pkg} (no readable host kernel found)`);
  const tmp = fs.mkdtempSync(path.join(root, '.fetch-'));
  try {
    await aptGetDownload([pkg], { cwd: tmp, signal: opts.signal });
    const deb = fs.readdirSync(tmp).find((n) => n.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${pkg} finished but left no .deb in ${tmp}.`);
    const tree = path.join(tmp, 'tree');
    fs.mkdirSync(tree);
    await dpkgDebExtract(path.join(tmp, deb), tree, { signal: opts.signal });
    const got = findIn({ bootDir: path.join(tree, 'boot'), modulesRoot: path.join(tree, 'lib', 'modules') }, 'cache');
    if (!got) throw new Error(`The package ${pkg} holds no boot/vmlinuz-* with matching lib/modules; cannot use it as a kernel.`);
    // Drop what an appliance never needs (docs, the signed-image notes) to keep the cache small.
    fs.rmSync(path.join(tree, 'usr'), { recursive: true, force: true });
    const dest = path.join(root, got.version);
    try {
      fs.renameSync(tree, dest);
    } catch (e) {
      // Another build fetched the same kernel meanwhile: theirs is as good as ours.
      if (!isDir(dest)) throw e;
    }
    const final = findKernel(home, opts.host);
    if (!final) throw new Error(`Fetched kernel ${got.version} into ${dest} but cannot find it there.`);
    log(`kernel ${final.version} ready in ${dest}`);
    return final;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** linux-image-cloud-amd64 → linux-image-6.1.0-56-cloud-amd64 (the package that holds the files). */
export async function resolveKernelPackage(meta: string, signal?: AbortSignal): Promise<string> {
  const deps = await aptCacheDepends(meta, { signal });
  const real = deps.find((d) => /^linux-image-\d/.test(d));
  if (!real) {
    throw new Error(`apt-cache depends ${meta} names no linux-image-<version> package. Run "apt-get update" or set base.kernel to a kernel image path.`);
  }
  return real;
}
