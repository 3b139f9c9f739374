import { runTool } from './run';

/** GPT partition type GUIDs (UEFI spec; systemd's Discoverable Partitions Specification). */
export const GPT_TYPES = {
  biosBoot: '21686148-6449-6E6F-744E-656564454649',
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  linux: '0FC63DAF-8483-4772-8E79-3D69D8477DE4',
} as const;

export interface GptPartition {
  startSector: number;
  /** Unset: to the end of the disk (the last partition only). */
  sectors?: number;
  type: string;
  /** The GPT partition name (PARTNAME= in the guest's uevent files). */
  name: string;
  /** Pinned for reproducibility (sfdisk would otherwise make random ones). */
  uuid: string;
}

export interface PartitionTable {
  /** The disk's GUID, pinned for reproducibility. */
  diskGuid: string;
  partitions: GptPartition[];
}

const GUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/i;

/** The sfdisk script for a GPT label with pinned GUIDs. */
export function sfdiskScript(t: PartitionTable): string {
  for (const g of [t.diskGuid, ...t.partitions.map((p) => p.uuid)]) if (!GUID.test(g)) throw new Error(`"${g}" is not a GUID.`);
  for (const p of t.partitions) if (!/^[A-Za-z0-9_-]{1,36}$/.test(p.name)) throw new Error(`Partition name "${p.name}" may only hold letters, digits, "_" and "-".`);
  const lines = ['label: gpt', `label-id: ${t.diskGuid.toUpperCase()}`, 'unit: sectors', 'first-lba: 34', ''];
  for (const p of t.partitions) lines.push(`start=${p.startSector}, ${p.sectors ? `size=${p.sectors}, ` : ''}type=${p.type}, uuid=${p.uuid.toUpperCase()}, name="${p.name}"`);
  return `${lines.join('\n')}\n`;
}

export function sfdiskArgs(disk: string): string[] {
  return ['--no-reread', '--no-tell-kernel', '--quiet', '--wipe', 'never', disk];
}

export async function sfdisk(disk: string, t: PartitionTable, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'sfdisk', argv: sfdiskArgs(disk), input: sfdiskScript(t), signal: opts.signal, timeoutMs: 60_000 });
}

/** One partition as `sfdisk --json` reports it: where it starts and how long it is, in sectors. */
export interface DumpedPartition {
  name: string;
  startSector: number;
  sectors: number;
}

export function sfdiskDumpArgs(disk: string): string[] {
  return ['--json', disk];
}

/** The GPT names and extents of `disk`'s partitions, from `sfdisk --json` (the table's own words, not a hand-read GPT). */
export function parseSfdiskDump(json: string): DumpedPartition[] {
  const doc = JSON.parse(json) as { partitiontable?: { sectorsize?: number; partitions?: { start: number; size: number; name?: string }[] } };
  const t = doc.partitiontable;
  if (!t) throw new Error('sfdisk printed no partition table');
  if ((t.sectorsize ?? 512) !== 512) throw new Error(`the disk has ${t.sectorsize}-byte sectors; Yoke writes 512-byte ones`);
  return (t.partitions ?? []).map((p) => ({ name: p.name ?? '', startSector: p.start, sectors: p.size }));
}

export async function sfdiskDump(disk: string, opts: { signal?: AbortSignal } = {}): Promise<DumpedPartition[]> {
  const r = await runTool({ tool: 'sfdisk', argv: sfdiskDumpArgs(disk), signal: opts.signal, timeoutMs: 60_000 });
  return parseSfdiskDump(r.stdout);
}
