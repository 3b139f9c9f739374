import fs from 'node:fs';
import path from 'node:path';
import { ToolMissingError } from '../tools/run';

/** Every external program a build runs, with the Debian package that provides it. */
export const BUILD_TOOLS: Record<string, string> = {
  zstd: 'zstd',
  sfdisk: 'fdisk',
  'mkfs.vfat': 'dosfstools',
  mcopy: 'mtools',
  syslinux: 'syslinux',
  mke2fs: 'e2fsprogs',
  debugfs: 'e2fsprogs',
  'qemu-img': 'qemu-utils',
  cp: 'coreutils',
};

/** What a Debian base's build runs on top (only then, so a busybox build never needs them). */
export const DEBIAN_TOOLS: Record<string, string> = {
  mmdebstrap: 'mmdebstrap',
  'mkfs.erofs': 'erofs-utils',
  fakeroot: 'fakeroot',
  cpio: 'cpio',
};

const SEARCH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function whichTool(tool: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...SEARCH];
  for (const d of dirs) {
    const p = path.join(d, tool);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // keep looking
    }
  }
  return null;
}

/**
 * A cheap identity for each tool (path, size, mtime): a tool upgrade changes it and so invalidates
 * the cached stages it made, without running a single `--version` on the warm path.
 */
export function toolIdentities(tools: string[] = Object.keys(BUILD_TOOLS)): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tools) {
    const p = whichTool(t);
    if (!p) throw new ToolMissingError(t, BUILD_TOOLS[t] ?? DEBIAN_TOOLS[t] ?? t);
    const st = fs.statSync(p);
    out[t] = `${fs.realpathSync(p)}:${st.size}:${Math.floor(st.mtimeMs)}`;
  }
  return out;
}

export function fileIdentity(p: string): string {
  const st = fs.statSync(p);
  return `${p}:${st.size}:${Math.floor(st.mtimeMs)}`;
}
