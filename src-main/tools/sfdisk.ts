import { runTool } from './run';

export interface PartitionTable {
  /** 8 hex digits (the DOS disk identifier), pinned for reproducibility. */
  diskId: string;
  /** One bootable FAT32 (LBA) partition from startSector to the end of the disk. */
  startSector: number;
  /** 'c' = FAT32 LBA, 'e' = FAT16 LBA. */
  type?: 'c' | 'e';
  /** The boot partition's size; unset, it runs to the end of the disk. */
  sizeSectors?: number;
  /** A second (Linux) partition: the Debian base's read-only root filesystem. */
  root?: { startSector: number; sectors: number };
}

/** The sfdisk script for a DOS label with one bootable FAT32 partition. */
export function sfdiskScript(t: PartitionTable): string {
  return [`label: dos`, `label-id: 0x${t.diskId.toLowerCase()}`, `unit: sectors`, '', `start=${t.startSector}, ${t.sizeSectors ? `size=${t.sizeSectors}, ` : ''}type=${t.type ?? 'c'}, bootable`, ...(t.root ? [`start=${t.root.startSector}, size=${t.root.sectors}, type=83`] : []), ''].join('\n');
}

export function sfdiskArgs(disk: string): string[] {
  return ['--no-reread', '--no-tell-kernel', '--quiet', '--wipe', 'never', disk];
}

export async function sfdisk(disk: string, t: PartitionTable, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'sfdisk', argv: sfdiskArgs(disk), input: sfdiskScript(t), signal: opts.signal, timeoutMs: 60_000 });
}
