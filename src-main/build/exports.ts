import fs from 'node:fs';
import { qemuImgConvert, type DiskFormat } from '../tools/qemu-img';

/*
 * qemu-img stamps random or time-based fields into some formats (measured with qemu-img 7.2:
 * qcow2 is byte-identical across runs; vmdk differs only in its descriptor's CID; vhd in the
 * footer's timestamp, UUID and checksum; vdi in the create/modify UUIDs). We overwrite those with
 * values derived from the build inputs, so every export is reproducible.
 */

export const EXPORT_EXTENSIONS: Record<DiskFormat, string> = { raw: 'raw', qcow2: 'qcow2', vmdk: 'vmdk', vhd: 'vhd', vdi: 'vdi' };

function patch(file: string, offset: number, bytes: Buffer): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, bytes, 0, bytes.length, offset);
  } finally {
    fs.closeSync(fd);
  }
}

function readAt(file: string, offset: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(length);
    fs.readSync(fd, b, 0, length, offset);
    return b;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Replaces the CID in a vmdk's embedded descriptor. qemu-img prints the random CID without
 * leading zeros, so its length varies: the descriptor text is rewritten in its zero-padded
 * region rather than patched in place.
 */
export function pinVmdkCid(file: string, cid: string): void {
  // The sparse extent header (VMware's "KDMV" layout) says where the descriptor lives and how
  // many sectors it may fill: descriptorOffset at byte 28, descriptorSize at byte 36 (little endian).
  const header = readAt(file, 0, 512);
  if (header.toString('latin1', 0, 4) !== 'KDMV') throw new Error(`${file} is not a sparse vmdk made by qemu-img.`);
  const offset = Number(header.readBigUInt64LE(28)) * 512;
  const size = Number(header.readBigUInt64LE(36)) * 512;
  const region = readAt(file, offset, size);
  const used = region.indexOf(0) < 0 ? region.length : region.indexOf(0);
  const text = region.toString('latin1', 0, used);
  if (!/\nCID=[0-9a-f]+\n/.test(text)) throw new Error(`${file} has no CID in its descriptor; is it a vmdk made by qemu-img?`);
  const pinned = Buffer.from(text.replace(/\nCID=[0-9a-f]+\n/, `\nCID=${cid.slice(0, 8).toLowerCase().padStart(8, '0')}\n`), 'latin1');
  if (pinned.length > size) throw new Error(`${file}: the pinned vmdk descriptor does not fit its ${size} bytes.`);
  const out = Buffer.alloc(size);
  pinned.copy(out);
  patch(file, offset, out);
}

/**
 * Where a streamOptimized vmdk's stream ends: just after its end-of-stream marker. qemu-img leaves
 * 55-65 KB of zeros after it; VMware's own writer (open-vmdk) ends the file at the marker, and
 * ovftool/Workstation are reported to reject qemu's files with a digest mismatch
 * (hardware-facts.md). The walk follows the grain markers from the header's overHead: each is
 * { lba u64, size u32 } plus `size` compressed bytes, padded to a sector; a zero-size marker is
 * metadata, type 0 being end-of-stream (the following sectors of other metadata are skipped).
 */
export function vmdkStreamEnd(file: string): VmdkStreamEnd {
  const fd = fs.openSync(file, 'r');
  try {
    const end = vmdkStreamEndAt(fd, 0, fs.fstatSync(fd).size);
    if (end === null) throw new Error(`${file} is not a streamOptimized vmdk (no KDMV header, or its grain markers run past the end).`);
    return end;
  } finally {
    fs.closeSync(fd);
  }
}

/** `end`: where the stream ends; `marker`: whether an end-of-stream marker is there (qemu-img writes none for an image without data). */
export interface VmdkStreamEnd {
  end: number;
  marker: boolean;
}

/** The stream end of a vmdk stored at `base`..`base + length` of an open file (an OVA member), relative to base; null if it is not one. */
export function vmdkStreamEndAt(fd: number, base: number, length: number): VmdkStreamEnd | null {
  const header = Buffer.alloc(512);
  fs.readSync(fd, header, 0, 512, base);
  if (header.toString('latin1', 0, 4) !== 'KDMV') return null;
  let at = Number(header.readBigUInt64LE(64)) * 512;
  const m = Buffer.alloc(16);
  while (at + 512 <= length) {
    fs.readSync(fd, m, 0, 16, base + at);
    const size = m.readUInt32LE(8);
    if (size > 0) {
      at += Math.ceil((12 + size) / 512) * 512;
      continue;
    }
    const type = m.readUInt32LE(12);
    if (type === 0) return { end: at + 512, marker: true };
    // Grain table (1), grain directory (2) or footer (3): `val` sectors of metadata follow the marker.
    at += 512 + Number(m.readBigUInt64LE(0)) * 512;
  }
  return at === length ? { end: at, marker: false } : null;
}

/**
 * Ends a streamOptimized vmdk at its end-of-stream marker (see vmdkStreamEnd), writing the
 * marker (a zero sector) when qemu-img left it out, as VMware's writer always has it.
 */
export function trimVmdk(file: string): void {
  const { end, marker } = vmdkStreamEnd(file);
  if (!marker) fs.appendFileSync(file, Buffer.alloc(512));
  else if (end < fs.statSync(file).size) fs.truncateSync(file, end);
}

/** VHD footer checksum: one's complement of the byte sum, with the checksum field itself taken as zero. */
export function vhdChecksum(footer: Buffer): number {
  let sum = 0;
  for (let i = 0; i < 512; i++) if (i < 64 || i >= 68) sum += footer[i];
  return ~sum >>> 0;
}

/** Fixes a VHD footer's timestamp (seconds since 2000) and UUID, then its checksum. */
export function pinVhdFooter(file: string, uuid: Buffer, epoch: number): void {
  const size = fs.statSync(file).size;
  const footer = readAt(file, size - 512, 512);
  if (footer.toString('ascii', 0, 8) !== 'conectix') throw new Error(`${file} does not end with a VHD footer.`);
  footer.writeUInt32BE(Math.max(0, epoch - 946684800) >>> 0, 24);
  uuid.copy(footer, 68, 0, 16);
  footer.writeUInt32BE(vhdChecksum(footer), 64);
  patch(file, size - 512, footer);
  // Dynamic VHDs keep a copy of the footer at the start; fixed ones do not.
  if (readAt(file, 0, 8).toString('ascii') === 'conectix') patch(file, 0, footer);
}

/** Fixes a VDI header's creation and modification UUIDs. */
export function pinVdiUuids(file: string, create: Buffer, modify: Buffer): void {
  const sig = readAt(file, 64, 4).readUInt32LE(0);
  if (sig !== 0xbeda107f) throw new Error(`${file} is not a VDI image.`);
  patch(file, 392, create.subarray(0, 16));
  patch(file, 408, modify.subarray(0, 16));
}

/** Converts a raw disk into `format` at `out` (the file name ends up inside vmdk descriptors), pinned by `seedHex`. */
export async function exportDisk(raw: string, out: string, format: DiskFormat, seedHex: string, epoch: number, signal?: AbortSignal): Promise<void> {
  const seed = Buffer.from(seedHex.padEnd(64, '0').slice(0, 64), 'hex');
  try {
    await qemuImgConvert(raw, out, format, { signal });
    if (format === 'vmdk') {
      pinVmdkCid(out, seedHex.slice(0, 8));
      trimVmdk(out);
    }
    if (format === 'vhd') pinVhdFooter(out, seed.subarray(0, 16), epoch);
    if (format === 'vdi') pinVdiUuids(out, seed.subarray(0, 16), seed.subarray(16, 32));
  } catch (e) {
    fs.rmSync(out, { force: true });
    throw e;
  }
}

export function exportName(base: string, format: DiskFormat): string {
  return `${base}.${EXPORT_EXTENSIONS[format]}`;
}

export function isDiskFormat(f: string): f is DiskFormat {
  return f in EXPORT_EXTENSIONS;
}
