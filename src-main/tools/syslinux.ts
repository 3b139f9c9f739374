import fs from 'node:fs';
import { aptPackageOf, fixedPathsOf } from './catalogue';
import { runTool } from './run';

export function syslinuxInstallArgs(image: string, offsetBytes = 0): string[] {
  const args = ['--install'];
  if (offsetBytes) args.push('--offset', String(offsetBytes));
  args.push(image);
  return args;
}

/** Where Debian's syslinux-common keeps the boot sector for DOS partition tables (resources/tools.json). */
export const MBR_CANDIDATES = fixedPathsOf('mbr.bin');

export function findMbrBin(): string {
  const found = MBR_CANDIDATES.find((p) => fs.existsSync(p));
  if (!found) throw new Error(`syslinux's mbr.bin was not found (looked in ${MBR_CANDIDATES.join(', ')}). Install it with: sudo apt-get install ${aptPackageOf('mbr.bin')}`);
  return found;
}

/** Installs ldlinux.sys/ldlinux.c32 into a FAT filesystem inside a file; works without root via mtools. */
export async function syslinuxInstall(image: string, offsetBytes = 0, opts: { signal?: AbortSignal; sourceDateEpoch?: number } = {}): Promise<void> {
  await runTool({
    tool: 'syslinux',
   
    argv: syslinuxInstallArgs(image, offsetBytes),
    env: { MTOOLS_SKIP_CHECK: '1', ...(opts.sourceDateEpoch !== undefined ? { SOURCE_DATE_EPOCH: String(opts.sourceDateEpoch) } : {}) },
    signal: opts.signal,
    timeoutMs: 120_000,
  });
}
