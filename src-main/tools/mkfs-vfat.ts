import { runTool } from './run';

export interface MkfsVfatOptions {
  /** Image file (created when `create` is set). */
  target: string;
  /** Filesystem size in 1 KiB blocks. */
  sizeKiB: number;
  /** 8 hex digits; derived from the inputs so the image is reproducible. */
  volumeId: string;
  label: string;
  /** Write the filesystem this many 512-byte sectors into the file (a partition inside a disk image). */
  offsetSectors?: number;
  create?: boolean;
  /** FAT type; FAT32 needs at least ~33 MiB. */
  fat?: 12 | 16 | 32;
}

export function mkfsVfatArgs(o: MkfsVfatOptions): string[] {
  if (!/^[0-9a-fA-F]{8}$/.test(o.volumeId)) throw new Error(`FAT volume id must be 8 hex digits, got "${o.volumeId}".`);
  // --invariant pins the time-based fields (the label's directory entry) and also sets the volume
  // id to 1234ABCD: it must come before -i, or the id derived from the inputs is lost.
  const args = ['--invariant', '-F', String(o.fat ?? 32), '-i', o.volumeId.toUpperCase(), '-n', o.label.toUpperCase().slice(0, 11)];
  if (o.offsetSectors !== undefined) args.push(`--offset=${o.offsetSectors}`);
  if (o.create) args.push('-C');
  args.push(o.target);
  if (o.create || o.offsetSectors !== undefined) args.push(String(o.sizeKiB));
  return args;
}

export async function mkfsVfat(o: MkfsVfatOptions, opts: { signal?: AbortSignal; sourceDateEpoch?: number } = {}): Promise<void> {
  await runTool({
    tool: 'mkfs.vfat',
   
    argv: mkfsVfatArgs(o),
    env: opts.sourceDateEpoch !== undefined ? { SOURCE_DATE_EPOCH: String(opts.sourceDateEpoch) } : undefined,
    signal: opts.signal,
    timeoutMs: 120_000,
  });
}
