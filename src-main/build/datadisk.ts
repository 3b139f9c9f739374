import fs from 'node:fs';
import path from 'node:path';
import { debugfsPinScript, debugfsRun } from '../tools/debugfs';
import { mke2fs } from '../tools/mke2fs';

export interface DataDiskInput {
  out: string;
  sizeBytes: number;
  label: string;
  /** Filesystem UUID derived from the inputs (reproducible). */
  uuid: string;
  epoch: number;
  /** Files to seed the disk with (optional). */
  seedDir?: string;
  signal?: AbortSignal;
}

function listSeed(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
    const r = `${rel}/${name}`;
    out.push(r);
    if (fs.lstatSync(path.join(dir, r)).isDirectory()) out.push(...listSeed(dir, r));
  }
  return out;
}

/** A sparse ext4 data disk with the spec's label; seeded files owned by root with fixed times. */
export async function buildDataDisk(i: DataDiskInput): Promise<void> {
  try {
    fs.rmSync(i.out, { force: true });
    fs.writeFileSync(i.out, '');
    fs.truncateSync(i.out, i.sizeBytes);
    await mke2fs({ image: i.out, sizeBytes: i.sizeBytes, label: i.label, uuid: i.uuid, seedDir: i.seedDir }, { epoch: i.epoch, signal: i.signal });
    const seeded = i.seedDir ? listSeed(i.seedDir) : [];
    if (seeded.length && process.getuid?.() !== 0) {
      const script = `${i.out}.debugfs`;
      fs.writeFileSync(script, debugfsPinScript(seeded, i.epoch));
      try {
        await debugfsRun(i.out, script, { epoch: i.epoch, signal: i.signal });
      } finally {
        fs.rmSync(script, { force: true });
      }
    }
  } catch (e) {
    fs.rmSync(i.out, { force: true });
    throw e;
  }
}

/** A UUID string made from hex digits of a hash (so the same inputs give the same filesystem UUID). */
export function uuidFromHex(hex: string): string {
  const h = hex.padEnd(32, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
