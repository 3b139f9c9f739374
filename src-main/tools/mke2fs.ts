import { runTool } from './run';

export interface Mke2fsOptions {
  image: string;
  sizeBytes: number;
  label: string;
  /** Filesystem UUID and directory hash seed, derived from the inputs so the image is reproducible. */
  uuid: string;
  /** Files to put in the new filesystem (mke2fs -d). */
  seedDir?: string;
}

export function mke2fsArgs(o: Mke2fsOptions): string[] {
  if (o.label.length > 16) throw new Error(`An ext4 label holds at most 16 characters; "${o.label}" has ${o.label.length}.`);
  const args = ['-q', '-F', '-t', 'ext4', '-L', o.label, '-U', o.uuid, '-E', `hash_seed=${o.uuid},root_owner=0:0,lazy_itable_init=1`];
  if (o.seedDir) args.push('-d', o.seedDir);
  args.push(o.image, `${Math.floor(o.sizeBytes / 1024)}k`);
  return args;
}

/** Timestamps come from E2FSPROGS_FAKE_TIME (honoured by mke2fs and debugfs), not the clock. */
function env(epoch: number): Record<string, string> {
  return { E2FSPROGS_FAKE_TIME: String(epoch), MKE2FS_CONFIG: '/etc/mke2fs.conf' };
}

export async function mke2fs(o: Mke2fsOptions, opts: { epoch: number; signal?: AbortSignal }): Promise<void> {
  await runTool({ tool: 'mke2fs', aptPackage: 'e2fsprogs', argv: mke2fsArgs(o), env: env(opts.epoch), signal: opts.signal, timeoutMs: 300_000 });
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

export function debugfsWriteArgs(image: string, scriptFile: string): string[] {
  return ['-w', '-f', scriptFile, image];
}

export async function debugfsRun(image: string, scriptFile: string, opts: { epoch: number; signal?: AbortSignal }): Promise<string> {
  const r = await runTool({ tool: 'debugfs', aptPackage: 'e2fsprogs', argv: debugfsWriteArgs(image, scriptFile), env: env(opts.epoch), signal: opts.signal, timeoutMs: 300_000 });
  // debugfs exits 0 even when a command fails; its complaints go to stderr.
  const errors = r.stderr.split('\n').filter((l) => l.trim() && !/^debugfs \d/.test(l));
  if (errors.length) throw new Error(`debugfs could not update ${image}:\n${errors.slice(0, 5).join('\n')}`);
  return r.stdout;
}
