import { runTool } from '../tools/run';

// The patterns that pick a version out of each tool's banner, most specific first.
const PATTERNS: Record<string, RegExp> = {
  'qemu-system-x86_64': /QEMU emulator version (\S+)/,
  'qemu-img': /qemu-img version (\S+)/,
  mke2fs: /mke2fs (\d\S*)/,
  debugfs: /debugfs (\d\S*)/,
  mcopy: /\(GNU mtools\) (\S+)/,
  mformat: /\(GNU mtools\) (\S+)/,
  syslinux: /syslinux (\d\S*)/i,
  sfdisk: /util-linux (\S+)/,
  'mkfs.vfat': /mkfs\.fat (\d\S*)/,
  zstd: /Zstandard CLI .*?v(\d[\d.]*)/,
  cpio: /GNU cpio\) (\S+)/,
  busybox: /BusyBox v(\d[^\s]*)/,
};

/** A tool's version from what it printed (stdout and stderr together), or undefined. */
export function parseVersion(tool: string, output: string): string | undefined {
  const m = PATTERNS[tool]?.exec(output) ?? /\b(\d+\.\d+(?:\.\d+)*)\b/.exec(output);
  return m?.[1];
}

/**
 * Runs the tool's version command with a short timeout; a tool that hangs or fails to answer
 * still counts as found (it exists), just without a version.
 */
export async function readToolVersion(tool: string, file: string, argv: string[], aptPackage: string, timeoutMs = 3000): Promise<string | undefined> {
  try {
    // Some tools (busybox without arguments, mkfs.vfat --help on old versions) exit 1 after printing.
    const r = await runTool({ tool: file, argv, aptPackage, timeoutMs, okExitCodes: [0, 1] });
    return parseVersion(tool, `${r.stdout}\n${r.stderr}`);
  } catch {
    return undefined;
  }
}
