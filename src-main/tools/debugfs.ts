import { e2fsprogsEnv } from './mke2fs';
import { runTool } from './run';

// The one door to debugfs, which edits an ext4 image file directly: no mount, no root, no loop
// device. The build uses it to pin owners and times of the data disk's seeded files; upgrade
// tests to drop an update package onto a data disk between two boots, and to read it back.

/** `debugfs -w -f SCRIPT IMAGE`: one request per line, from a file or ('-') stdin. */
export function debugfsWriteArgs(image: string, script = '-'): string[] {
  return ['-w', '-f', script, image];
}

/**
 * debugfs commands that make every seeded inode owned by root with fixed times: mke2fs -d copies
 * the builder's uid/gid into the image, which would leak who built it and break reproducibility.
 */
export function debugfsPinScript(paths: string[], epoch: number): string {
  const lines: string[] = [];
  for (const p of ['/', ...paths]) {
    const q = `"${p.replace(/"/g, '\\"')}"`;
    lines.push(`sif ${q} uid 0`, `sif ${q} gid 0`);
    for (const f of ['ctime', 'mtime', 'atime', 'crtime']) lines.push(`sif ${q} ${f} @${epoch}`);
  }
  return lines.join('\n') + '\n';
}

/** Runs a request script file against an image, with debugfs's clock pinned to `epoch`. */
export async function debugfsRun(image: string, scriptFile: string, opts: { epoch: number; signal?: AbortSignal }): Promise<string> {
  const r = await runTool({ tool: 'debugfs', argv: debugfsWriteArgs(image, scriptFile), env: e2fsprogsEnv(opts.epoch), signal: opts.signal, timeoutMs: 300_000 });
  // debugfs exits 0 even when a command fails; its complaints go to stderr.
  const errors = r.stderr.split('\n').filter((l) => l.trim() && !/^debugfs \d/.test(l));
  if (errors.length) throw new Error(`debugfs could not update ${image}:\n${errors.slice(0, 5).join('\n')}`);
  return r.stdout;
}

/** A request script that creates `dir` (and its parents) and copies host files into it. */
export function debugfsPutScript(dir: string, files: { src: string; name: string }[]): string {
  const q = (s: string) => {
    if (/["\n]/.test(s)) throw new Error(`debugfs cannot take the path ${JSON.stringify(s)} (quotes or newlines).`);
    return `"${s}"`;
  };
  const parts = dir.split('/').filter(Boolean);
  const lines: string[] = [];
  for (let i = 1; i <= parts.length; i++) lines.push(`mkdir ${q(`/${parts.slice(0, i).join('/')}`)}`);
  for (const f of files) {
    const dest = `/${[...parts, f.name].join('/')}`;
    lines.push(`rm ${q(dest)}`, `write ${q(f.src)} ${q(dest)}`, `sif ${q(dest)} uid 0`, `sif ${q(dest)} gid 0`);
  }
  return `${lines.join('\n')}\n`;
}

/** Copies host files into `dir` on an ext4 image (which no VM may be using). */
export async function debugfsPut(image: string, dir: string, files: { src: string; name: string }[], opts: { signal?: AbortSignal } = {}): Promise<void> {
  const r = await runTool({ tool: 'debugfs', argv: debugfsWriteArgs(image), input: debugfsPutScript(dir, files), signal: opts.signal, timeoutMs: 120_000 });
  // debugfs reports failed requests on stderr but exits 0; "mkdir: ... exists" and "rm: File not found" are expected.
  const bad = r.stderr.split('\n').filter((l) => l.trim() && !/^debugfs \d/.test(l) && !/(Ext2 directory already exists|File not found by ext2_lookup)/.test(l));
  if (bad.length) throw new Error(`debugfs could not write into ${image}:\n${bad.join('\n')}`);
}

/** The content of a file on an ext4 image, or null when it is not there. */
export async function debugfsCat(image: string, file: string, opts: { signal?: AbortSignal } = {}): Promise<string | null> {
  const r = await runTool({ tool: 'debugfs', argv: ['-R', `cat "${file}"`, image], signal: opts.signal, timeoutMs: 60_000 });
  if (/File not found/.test(r.stderr)) return null;
  return r.stdout;
}

/** Names in a directory of an ext4 image (without . and ..), or null when it is not there. */
export async function debugfsLs(image: string, dir: string, opts: { signal?: AbortSignal } = {}): Promise<string[] | null> {
  const r = await runTool({ tool: 'debugfs', argv: ['-R', `ls -p "${dir}"`, image], signal: opts.signal, timeoutMs: 60_000 });
  if (/File not found/.test(r.stderr)) return null;
  // ls -p prints /inode/mode/uid/gid/name/size/ per entry.
  return r.stdout.split('\n').map((l) => l.split('/')[5]).filter((n): n is string => !!n && n !== '.' && n !== '..');
}

/** Free bytes on an ext4 image, from `debugfs -R stats` (its superblock's free blocks). */
export async function debugfsFreeBytes(image: string, opts: { signal?: AbortSignal } = {}): Promise<number> {
  const r = await runTool({ tool: 'debugfs', argv: ['-R', 'stats', image], signal: opts.signal, timeoutMs: 60_000 });
  const num = (k: string) => Number(new RegExp(`^${k}:\\s*(\\d+)`, 'm').exec(r.stdout)?.[1] ?? NaN);
  const free = num('Free blocks');
  const size = num('Block size');
  if (!Number.isFinite(free) || !Number.isFinite(size)) throw new Error(`debugfs stats of ${image} names no free blocks or block size`);
  // The updater runs as root, so the reserved blocks are its too; they are counted as free.
  return free * size;
}
