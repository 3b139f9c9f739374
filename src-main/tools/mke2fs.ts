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
export function e2fsprogsEnv(epoch: number): Record<string, string> {
  return { E2FSPROGS_FAKE_TIME: String(epoch), MKE2FS_CONFIG: '/etc/mke2fs.conf' };
}

export async function mke2fs(o: Mke2fsOptions, opts: { epoch: number; signal?: AbortSignal }): Promise<void> {
  await runTool({ tool: 'mke2fs', argv: mke2fsArgs(o), env: e2fsprogsEnv(opts.epoch), signal: opts.signal, timeoutMs: 300_000 });
}
