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
  const head = readAt(file, 0, 64 * 1024);
  const start = head.indexOf('# Disk DescriptorFile');
  const at = head.indexOf('\nCID=', start);
  if (start < 0 || at < 0) throw new Error(`${file} has no CID in its descriptor; is it a vmdk made by qemu-img?`);
  const end = head.indexOf(0, at); // the text ends at the padding
  const lineEnd = head.indexOf('\n', at + 1);
  let padEnd = end;
  while (padEnd < head.length && head[padEnd] === 0) padEnd++;
  const text = Buffer.concat([head.subarray(start, at + 5), Buffer.from(cid.slice(0, 8).toLowerCase().padStart(8, '0'), 'ascii'), head.subarray(lineEnd, end)]);
  if (end < 0 || lineEnd < 0 || start + text.length > padEnd) throw new Error(`${file}: no room to rewrite the vmdk descriptor`);
  const region = Buffer.alloc(padEnd - start);
  text.copy(region);
  patch(file, start, region);
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
    if (format === 'vmdk') pinVmdkCid(out, seedHex.slice(0, 8));
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
