import { runTool } from './run';

/** mtools' image@@offset syntax: a FAT filesystem that starts `offset` bytes into a disk image. */
export function mtoolsImage(image: string, offsetBytes = 0): string {
  return offsetBytes ? `${image}@@${offsetBytes}` : image;
}

/** Copies host files into a FAT image, overwriting, keeping the files' mtimes (-m). Not -b: batch mode breaks image@@offset in mtools 4.0.32. */
export function mcopyArgs(image: string, sources: string[], destDir = '::/'): string[] {
  if (sources.length === 0) throw new Error('mcopy needs at least one file to copy.');
  return ['-i', image, '-o', '-m', ...sources, destDir];
}

/** Copies one file out of a FAT image to a host path, overwriting. */
export function mcopyOutArgs(image: string, source: string, dest: string): string[] {
  return ['-i', image, '-o', `::/${source.replace(/^\/+/, '')}`, dest];
}

export function mdirArgs(image: string, dir = '::/'): string[] {
  return ['-i', image, '-b', dir];
}

interface Opts {
  signal?: AbortSignal;
  sourceDateEpoch?: number;
}

function env(o: Opts): Record<string, string> {
  // MTOOLS_SKIP_CHECK: images made by mkfs.vfat --offset would otherwise trip geometry checks.
  const e: Record<string, string> = { MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0' };
  if (o.sourceDateEpoch !== undefined) e.SOURCE_DATE_EPOCH = String(o.sourceDateEpoch);
  return e;
}

export async function mcopy(image: string, sources: string[], opts: Opts = {}): Promise<void> {
  await runTool({ tool: 'mcopy', argv: mcopyArgs(image, sources), env: env(opts), signal: opts.signal, timeoutMs: 300_000 });
}

/** Bare names (-b) of the files in a FAT directory. */
export async function mdir(image: string, dir = '::/', opts: Opts = {}): Promise<string[]> {
  const r = await runTool({ tool: 'mdir', argv: mdirArgs(image, dir), env: env(opts), signal: opts.signal, timeoutMs: 60_000 });
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

export async function mcopyOut(image: string, source: string, dest: string, opts: Opts = {}): Promise<void> {
  await runTool({ tool: 'mcopy', aptPackage: 'mtools', argv: mcopyOutArgs(image, source, dest), env: env(opts), signal: opts.signal, timeoutMs: 60_000 });
}

/** Makes folders in a FAT image (-D s: an existing one is skipped, not an error). Parents first. */
export function mmdArgs(image: string, dirs: string[]): string[] {
  if (dirs.length === 0) throw new Error('mmd needs at least one folder.');
  return ['-i', image, '-D', 's', ...dirs.map((d) => `::/${d.replace(/^\/+/, '')}`)];
}

export async function mmd(image: string, dirs: string[], opts: Opts = {}): Promise<void> {
  await runTool({ tool: 'mmd', argv: mmdArgs(image, dirs), env: env(opts), signal: opts.signal, timeoutMs: 60_000 });
}

/** Copies host files into one folder of a FAT image (see mcopyArgs). */
export async function mcopyTo(image: string, sources: string[], destDir: string, opts: Opts = {}): Promise<void> {
  await runTool({ tool: 'mcopy', argv: mcopyArgs(image, sources, `::/${destDir.replace(/^\/+|\/+$/g, '')}/`), env: env(opts), signal: opts.signal, timeoutMs: 300_000 });
}
