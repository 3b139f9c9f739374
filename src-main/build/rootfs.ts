import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { CpioTree, NEWC_MAX_FILE_SIZE, tooBigForNewc } from './cpio';
import { compileGlob, matchesAny } from './glob';
import { generateFstab, generateInit } from './init';

export class RootfsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RootfsError';
  }
}

export interface OverlayFile {
  /** Path relative to the overlay root, '/'-separated. */
  rel: string;
  abs: string;
  kind: 'dir' | 'file' | 'symlink';
  mode: number;
  size: number;
  target?: string;
  /** Files only: the link count and inode, so the hygiene scan can spot a hard link to a file outside the overlay. */
  nlink?: number;
  inode?: string;
}

/** How many entries the walk handles between two turns of the event loop. */
const YIELD_EVERY = 256;

/**
 * Lists the overlay without following a single symlink (lstat only), leaving out excluded paths.
 * Anything that cannot go into the image (unreadable, a socket, a link escaping the overlay) is an error
 * naming the file, so the build stops before writing anything.
 *
 * Asynchronous on purpose: `yoke serve` runs builds in the process that serves the UI, and a big
 * overlay walked synchronously froze every page request for as long as the walk took. File system
 * calls go to libuv's pool and the walk yields to the event loop every YIELD_EVERY entries.
 */
export async function walkOverlay(overlay: string, exclude: string[], signal?: AbortSignal): Promise<OverlayFile[]> {
  const globs = exclude.map(compileGlob);
  const out: OverlayFile[] = [];
  let st: fs.Stats;
  try {
    st = await fsp.stat(overlay);
  } catch {
    throw new RootfsError(`The overlay folder ${overlay} does not exist. Create it or fix rootfs.overlay in appliance.yaml.`);
  }
  if (!st.isDirectory()) throw new RootfsError(`The overlay ${overlay} is not a folder. Point rootfs.overlay at a folder.`);
  let handled = 0;
  const walk = async (relDir: string) => {
    const absDir = path.join(overlay, relDir);
    let raw: Buffer[];
    try {
      raw = await fsp.readdir(absDir, { encoding: 'buffer' });
    } catch (e) {
      throw new RootfsError(`Cannot read the overlay folder ${absDir} (${(e as NodeJS.ErrnoException).code}). Make it readable (chmod a+rx) or exclude it.`);
    }
    // A name that is not UTF-8 would be decoded with U+FFFD and then not found ("ENOENT … bad��name").
    const bad = raw.find((b) => !isUtf8(b));
    if (bad) {
      const shown = [...bad].map((c) => (c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`)).join('');
      throw new RootfsError(
        `The overlay folder ${absDir} holds a file whose name is not UTF-8 ("${shown}"). An image's names must be UTF-8: rename it (convmv -f latin1 -t utf8 --notest can) or add its folder to rootfs.exclude.`,
      );
    }
    const names = raw.map((b) => b.toString('utf8')).sort();
    for (const name of names) {
      if (++handled % YIELD_EVERY === 0) {
        await new Promise((r) => setImmediate(r));
        if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('The build was cancelled.');
      }
      const rel = relDir ? `${relDir}/${name}` : name;
      // Folders already excluded are never entered, so only the path itself needs matching.
      if (matchesAny(rel, globs)) continue;
      const abs = path.join(overlay, rel);
      const l = await fsp.lstat(abs);
      if (l.isSymbolicLink()) {
        const target = await fsp.readlink(abs);
        if (!path.isAbsolute(target)) {
          // Joined without a leading "/" so that climbing above the overlay root stays visible as "..".
          const resolved = path.posix.normalize(path.posix.join(relDir || '.', target));
          if (resolved === '..' || resolved.startsWith('../')) {
            throw new RootfsError(`The symlink ${abs} points to ${target}, outside the overlay. Yoke never follows symlinks; copy the file into the overlay instead.`);
          }
        }
        out.push({ rel, abs, kind: 'symlink', mode: 0o777, size: 0, target });
      } else if (l.isDirectory()) {
        out.push({ rel, abs, kind: 'dir', mode: l.mode & 0o7777, size: 0 });
        await walk(rel);
      } else if (l.isFile()) {
        try {
          await fsp.access(abs, fs.constants.R_OK);
        } catch {
          throw new RootfsError(`The overlay file ${abs} is not readable by you. Make it readable (chmod a+r) or add it to rootfs.exclude.`);
        }
        if (l.size > NEWC_MAX_FILE_SIZE) throw new RootfsError(`The overlay file ${tooBigForNewc(abs, l.size)}`);
        out.push({ rel, abs, kind: 'file', mode: l.mode & 0o7777, size: l.size, nlink: l.nlink, inode: `${l.dev}:${l.ino}` });
      } else {
        throw new RootfsError(`${abs} is a device, socket or pipe; an overlay may hold only files, folders and symlinks. Remove it or exclude it.`);
      }
    }
  };
  await walk('');
  return out;
}

/** Rejects absolute symlinks that would only work on the build machine: the target is absent from the image but present on the host. */
export function checkHostSymlinks(files: OverlayFile[], inImage: (guestPath: string) => boolean, hostExists = (p: string) => fs.existsSync(p)): void {
  for (const f of files) {
    if (f.kind !== 'symlink' || !f.target || !path.isAbsolute(f.target)) continue;
    const guest = path.posix.normalize(f.target);
    if (inImage(guest) || guest.startsWith('/proc/') || guest.startsWith('/sys/') || guest.startsWith('/dev/')) continue;
    if (hostExists(guest)) {
      throw new RootfsError(
        `The symlink ${f.abs} points to ${f.target}, a file on this machine that is not in the appliance. Yoke never follows symlinks; copy the file into the overlay instead.`,
      );
    }
  }
}

export interface ApplianceLayerInput {
  name: string;
  version: string;
  services: { name: string; run: string }[];
  data: { label: string; mount: string } | null;
  modules: string[];
  acpiModules?: string[];
  consoleShell?: boolean;
  overlay: OverlayFile[];
  state?: { dataMount: string; dirs: string[] };
  toolPath?: string;
}

/** The appliance layer: generated /init, /etc/fstab and /etc/hostname, then the overlay on top (it wins). */
export function applianceTree(input: ApplianceLayerInput): CpioTree {
  const t = new CpioTree();
  const text = (p: string, s: string, mode = 0o644) => t.add({ path: p, type: 'file', mode, data: Buffer.from(s) });
  text('init', generateInit({ name: input.name, version: input.version, services: input.services, modules: input.modules, acpiModules: input.acpiModules, consoleShell: input.consoleShell, state: input.state, toolPath: input.toolPath }), 0o755);
  text('etc/hostname', `${input.name}\n`);
  text('etc/yoke-release', `NAME=${input.name}\nVERSION=${input.version}\n`);
  if (!input.overlay.some((f) => f.rel === 'etc/fstab')) text('etc/fstab', generateFstab(input.data));
  if (input.data) t.add({ path: input.data.mount, type: 'dir', mode: 0o755 });
  for (const f of input.overlay) {
    if (f.kind === 'dir') t.add({ path: f.rel, type: 'dir', mode: f.mode });
    else if (f.kind === 'symlink') t.add({ path: f.rel, type: 'symlink', target: f.target! });
    else t.add({ path: f.rel, type: 'file', mode: f.mode, source: f.abs, size: f.size });
  }
  return t;
}
