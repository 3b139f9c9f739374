import { runTool } from './run';

// debugfs edits an ext4 image file directly: no mount, no root, no loop device. Upgrade tests
// use it to drop an update package onto a data disk between two boots, and to read it back.

/** `debugfs -w -f - IMAGE` with a request script on stdin: one request per line. */
export function debugfsWriteArgs(image: string): string[] {
  return ['-w', '-f', '-', image];
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
  const r = await runTool({ tool: 'debugfs', aptPackage: 'e2fsprogs', argv: debugfsWriteArgs(image), input: debugfsPutScript(dir, files), signal: opts.signal, timeoutMs: 120_000 });
  // debugfs reports failed requests on stderr but exits 0; "mkdir: ... exists" and "rm: File not found" are expected.
  const bad = r.stderr.split('\n').filter((l) => l.trim() && !/^debugfs \d/.test(l) && !/(Ext2 directory already exists|File not found by ext2_lookup)/.test(l));
  if (bad.length) throw new Error(`debugfs could not write into ${image}:\n${bad.join('\n')}`);
}

/** The content of a file on an ext4 image, or null when it is not there. */
export async function debugfsCat(image: string, file: string, opts: { signal?: AbortSignal } = {}): Promise<string | null> {
  const r = await runTool({ tool: 'debugfs', aptPackage: 'e2fsprogs', argv: ['-R', `cat "${file}"`, image], signal: opts.signal, timeoutMs: 60_000 });
  if (/File not found/.test(r.stderr)) return null;
  return r.stdout;
}

/** Names in a directory of an ext4 image (without . and ..), or null when it is not there. */
export async function debugfsLs(image: string, dir: string, opts: { signal?: AbortSignal } = {}): Promise<string[] | null> {
  const r = await runTool({ tool: 'debugfs', aptPackage: 'e2fsprogs', argv: ['-R', `ls -p "${dir}"`, image], signal: opts.signal, timeoutMs: 60_000 });
  if (/File not found/.test(r.stderr)) return null;
  // ls -p prints /inode/mode/uid/gid/name/size/ per entry.
  return r.stdout.split('\n').map((l) => l.split('/')[5]).filter((n): n is string => !!n && n !== '.' && n !== '..');
}
