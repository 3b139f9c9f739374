// The output formats, in one table: the spec's `outputs:` enum, the CLI's usage text, the build's
// exports, the error for an unknown output and the wizard's labels (through app.info) all read it.
// Adding a disk format is one row here (plus its pin, if qemu-img stamps random bits into it).
import { pinVdiUuids, pinVhdFooter, pinVmdkCid } from './pin';

/** What a pin gets: the build's seed (32 bytes, from the inputs) and SOURCE_DATE_EPOCH. */
export interface PinInputs {
  seed: Buffer;
  seedHex: string;
  epoch: number;
}

interface FormatRow {
  name: string;
  extension: string;
  /** For people: where the format is used (wizard, docs). */
  label: string;
  /** A disk image made by `qemu-img convert -O driver -o options`; absent for the OVA, a bundle of vmdks. */
  qemuImg?: { driver: string; options: string[] };
  /** qemu-img's name for reading the file back (`qemu-img info -f`). */
  readBack?: string;
  /** Overwrites the random or time-based fields qemu-img wrote, so the export is reproducible. */
  pin?: (file: string, p: PinInputs) => void;
}

export const FORMAT_TABLE = [
  // -S 4k keeps runs of zeros as holes: a raw export is as sparse as the disk it came from.
  { name: 'raw', extension: 'raw', label: 'raw disk image', qemuImg: { driver: 'raw', options: ['-S', '4k'] }, readBack: 'raw' },
  { name: 'qcow2', extension: 'qcow2', label: 'QEMU, KVM, OpenStack', qemuImg: { driver: 'qcow2', options: ['-o', 'compat=1.1'] }, readBack: 'qcow2' },
  {
    name: 'vmdk',
    extension: 'vmdk',
    label: 'VMware (streamOptimized)',
    // streamOptimized is what OVF importers expect (compressed grains, readable as a stream).
    qemuImg: { driver: 'vmdk', options: ['-o', 'subformat=streamOptimized'] },
    readBack: 'vmdk',
    pin: (f, p) => pinVmdkCid(f, p.seedHex.slice(0, 8)),
  },
  {
    name: 'vhd',
    extension: 'vhd',
    label: 'Hyper-V, Azure',
    // Azure and Hyper-V want fixed VHDs whose size is exactly the disk size.
    qemuImg: { driver: 'vpc', options: ['-o', 'subformat=fixed,force_size=on'] },
    readBack: 'vpc',
    pin: (f, p) => pinVhdFooter(f, p.seed.subarray(0, 16), p.epoch),
  },
  {
    name: 'vdi',
    extension: 'vdi',
    label: 'VirtualBox',
    qemuImg: { driver: 'vdi', options: ['-o', 'static=off'] },
    readBack: 'vdi',
    pin: (f, p) => pinVdiUuids(f, p.seed.subarray(0, 16), p.seed.subarray(16, 32)),
  },
  { name: 'ova', extension: 'ova', label: 'VirtualBox / VMware import (OVF + disks + manifest)' },
] as const satisfies readonly FormatRow[];

export type OutputFormat = (typeof FORMAT_TABLE)[number]['name'];
/** The formats qemu-img converts a disk into (every one but the OVA). */
export type DiskFormat = Extract<(typeof FORMAT_TABLE)[number], { qemuImg: object }>['name'];

export const OUTPUT_FORMATS: readonly OutputFormat[] = FORMAT_TABLE.map((f) => f.name);
export const DISK_FORMATS: readonly DiskFormat[] = FORMAT_TABLE.filter((f): f is Extract<(typeof FORMAT_TABLE)[number], { qemuImg: object }> => 'qemuImg' in f).map((f) => f.name);

export function formatOf(name: DiskFormat): FormatRow & { qemuImg: { driver: string; options: string[] }; readBack: string };
export function formatOf(name: string): FormatRow | undefined;
export function formatOf(name: string): FormatRow | undefined {
  return (FORMAT_TABLE as readonly FormatRow[]).find((f) => f.name === name);
}

export function isDiskFormat(f: string): f is DiskFormat {
  return (DISK_FORMATS as readonly string[]).includes(f);
}

export function isOutputFormat(f: string): f is OutputFormat {
  return (OUTPUT_FORMATS as readonly string[]).includes(f);
}

/** What the faces show people: name and label, in table order (app.info's formats). */
export function formatLabels(): { name: string; label: string }[] {
  return FORMAT_TABLE.map((f) => ({ name: f.name, label: f.label }));
}
