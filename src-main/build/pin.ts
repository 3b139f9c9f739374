import fs from 'node:fs';

/*
 * qemu-img stamps random or time-based fields into some formats (measured with qemu-img 7.2:
 * qcow2 is byte-identical across runs; vmdk differs only in its descriptor's CID; vhd in the
 * footer's timestamp, UUID and checksum; vdi in the create/modify UUIDs). We overwrite those with
 * values derived from the build inputs, so every export is reproducible. build/formats.ts says
 * which format gets which pin.
 */

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
