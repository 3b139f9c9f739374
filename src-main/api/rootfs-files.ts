// The files of a build's root filesystem, for Compare. A busybox build's root is its initrd (what
// the guest unpacks); a Debian build's is the erofs image in the OS disk's root-a partition (its
// initrd is only the small stage-1 initramfs that mounts it). Either list is cached beside the
// build: a build's files never change, and reading them costs seconds.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseNewc, type NewcEntry } from '../build/newc';
import { PART_NAMES } from '../build/osdisk';
import { findList } from '../tools/find';
import { fsckErofsExtract } from '../tools/fsck-erofs';
import { sfdiskDump } from '../tools/sfdisk';
import { zstdDecompress } from '../tools/zstd';

/** The initrd's list (busybox builds). */
export const ROOTFS_FILES = 'rootfs-files.json';
/**
 * The root partition's list (Debian builds). A name of its own: Compare once listed a Debian
 * build's initramfs under ROOTFS_FILES, and that stale list must not be read back as its root.
 */
export const ROOTFS_FILES_ON_DISK = 'rootfs-files.root-a.v2.json';

const SECTOR = 512;

function readCache(file: string): NewcEntry[] | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as NewcEntry[];
  } catch {
    return null; // not cached yet (or unreadable): read the build's files
  }
}

function writeCache(file: string, entries: NewcEntry[]): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, JSON.stringify(entries));
    fs.renameSync(tmp, file);
  } catch {
    // a read-only build folder still compares, just without the cache
    fs.rmSync(tmp, { force: true });
  }
}

async function initrdFiles(buildDir: string, scratch: string): Promise<NewcEntry[]> {
  const initrd = path.join(buildDir, 'boot', 'initrd.zst');
  if (!fs.existsSync(initrd)) throw new Error(`${initrd} is missing (deleted?)`);
  const cpio = path.join(scratch, 'initrd.cpio');
  await zstdDecompress(initrd, cpio);
  return parseNewc(fs.readFileSync(cpio));
}

/**
 * The erofs root in os.raw's root-a partition, unpacked by fsck.erofs under fakeroot and listed
 * by find under the same state (so device nodes and modes are the image's, without root), each
 * file's and link's content hashed as the initrd parser hashes them.
 */
async function rootPartitionFiles(buildDir: string, scratch: string): Promise<NewcEntry[]> {
  const raw = path.join(buildDir, 'os.raw');
  if (!fs.existsSync(raw)) throw new Error(`${raw} is missing (deleted?)`);
  const part = (await sfdiskDump(raw)).find((p) => p.name === PART_NAMES.rootA);
  if (!part) throw new Error(`${raw} has no "${PART_NAMES.rootA}" partition, where a Debian build's root filesystem is.`);
  // fsck.erofs reads a whole file: the partition's bytes, copied out (the image ends with zeros).
  const image = path.join(scratch, 'root-a.erofs');
  const start = part.startSector * SECTOR;
  await pipeline(fs.createReadStream(raw, { start, end: start + part.sectors * SECTOR - 1 }), fs.createWriteStream(image));
  const root = path.join(scratch, 'root');
  const state = path.join(scratch, 'fakeroot.state');
  await fsckErofsExtract(image, root, state);
  fs.rmSync(image);
  const entries: NewcEntry[] = [];
  for (const f of await findList(root, state)) {
    const e: NewcEntry = { path: f.path, type: f.type, mode: f.mode, bytes: f.bytes };
    const on = path.join(root, f.path);
    if (f.type === 'file') e.sha256 = createHash('sha256').update(fs.readFileSync(on)).digest('hex');
    else if (f.type === 'symlink') e.sha256 = createHash('sha256').update(fs.readlinkSync(on, { encoding: 'buffer' })).digest('hex');
    entries.push(e);
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** When the spec cannot tell (it is gone): a Debian build's os.raw has a root-a partition, a busybox build's none (or no GPT at all, before A/B slots). */
async function hasRootPartition(buildDir: string): Promise<boolean> {
  const raw = path.join(buildDir, 'os.raw');
  if (!fs.existsSync(raw)) return false;
  try {
    return (await sfdiskDump(raw)).some((p) => p.name === PART_NAMES.rootA);
  } catch {
    return false;
  }
}

/**
 * The files of the root filesystem a build boots: its root partition's when `rootOnDisk` (a
 * Debian base), else its initrd's; undefined: whichever the build's OS disk says it has.
 */
export async function rootfsFiles(buildDir: string, o: { rootOnDisk?: boolean } = {}): Promise<NewcEntry[]> {
  const onDisk = o.rootOnDisk ?? (await hasRootPartition(buildDir));
  const cache = path.join(buildDir, onDisk ? ROOTFS_FILES_ON_DISK : ROOTFS_FILES);
  const cached = readCache(cache);
  if (cached) return cached;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), onDisk ? 'yoke-root-a-' : 'yoke-initrd-'));
  try {
    const entries = onDisk ? await rootPartitionFiles(buildDir, scratch) : await initrdFiles(buildDir, scratch);
    writeCache(cache, entries);
    return entries;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
