import fs from 'node:fs';

// A streamOptimized vmdk's end: where its stream stops, and cutting qemu-img's trailing zeros there.

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

