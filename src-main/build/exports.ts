import fs from 'node:fs';
import { qemuImgConvert } from '../tools/qemu-img';
import { formatOf, type DiskFormat } from './formats';

/** Converts a raw disk into `format` at `out` (the file name ends up inside vmdk descriptors), pinned by `seedHex`. */
export async function exportDisk(raw: string, out: string, format: DiskFormat, seedHex: string, epoch: number, signal?: AbortSignal): Promise<void> {
  const seed = Buffer.from(seedHex.padEnd(64, '0').slice(0, 64), 'hex');
  try {
    const f = formatOf(format);
    await qemuImgConvert(raw, out, f.qemuImg, { signal });
    f.pin?.(out, { seed, seedHex, epoch });
  } catch (e) {
    fs.rmSync(out, { force: true });
    throw e;
  }
}

export function exportName(base: string, format: DiskFormat): string {
  return `${base}.${formatOf(format).extension}`;
}
