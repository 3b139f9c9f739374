// The update medium: a small disk holding nothing but a FAT filesystem labelled YOKEUPDATE with
// one full update package on it. A customer without network access attaches it to the appliance's
// VM as an extra disk; at boot the appliance's updater (resources/guest/yoke-update.sh,
// medium_packages) finds the label, mounts it read-only and installs the package if it is newer
// than what runs. Made without root, like the OS disk: mkfs.vfat -C writes the filesystem straight
// into a new file (no partition table: the guest looks the label up on whole disks too, and a
// superfloppy is one step less to get wrong), mcopy puts the package on it.
import fs from 'node:fs';
import path from 'node:path';
import { mkfsVfat } from '../../tools/mkfs-vfat';
import { mcopyTo, mdir } from '../../tools/mtools';
import { qemuImgConvert } from '../../tools/qemu-img';
import { pinVmdkCid } from '../pin';
import { MEDIUM_LABEL } from './updater-script';

const MiB = 1024 * 1024;
/** FAT16 needs about 16 MiB before mkfs.vfat agrees to make it (and FAT12 is not worth a branch). */
const MIN_BYTES = 16 * MiB;
/** Above this FAT32 (FAT16 ends at 2 GiB with 32 KiB clusters; mkfs.vfat's default switch is near 512 MiB). */
const FAT32_FROM = 512 * MiB;
/** FAT cannot hold a file of 4 GiB or more. */
const FAT_FILE_MAX = 4 * 1024 * MiB - 1;

/** The file names a build gives its medium: the vmdk a customer attaches, the raw Yoke boots. */
export function mediumName(appliance: string, version: string, ext: 'raw' | 'vmdk'): string {
  return `${appliance}-${version}.update.${ext}`;
}

/**
 * Bytes of disk for a package of `pkgBytes`: the package, the FATs (2 × 2 bytes a 2 KiB cluster
 * on FAT16, 4 bytes a cluster on FAT32, both well under 1/256), cluster slack and 2 MiB spare,
 * rounded up to a MiB.
 */
export function mediumBytesFor(pkgBytes: number): number {
  return Math.max(MIN_BYTES, Math.ceil((pkgBytes + Math.ceil(pkgBytes / 256) + 2 * MiB) / MiB) * MiB);
}

/** qemu-img's vmdk that VirtualBox and VMware both attach as a disk (streamOptimized is for OVF import only). */
const ATTACHABLE_VMDK = { driver: 'vmdk', options: ['-o', 'subformat=monolithicSparse'] } as const;

export interface MediumInput {
  /** The full update package to carry. */
  pkg: string;
  /** The raw disk to write, and the vmdk made from it. */
  raw: string;
  vmdk: string;
  /** 8 hex digits, from the package's digest: the same package gives the same medium bytes. */
  volumeId: string;
  epoch: number;
  signal?: AbortSignal;
}

export async function buildUpdateMedium(i: MediumInput): Promise<void> {
  const pkgBytes = fs.statSync(i.pkg).size;
  if (pkgBytes > FAT_FILE_MAX) throw new Error(`The update package ${i.pkg} is ${Math.ceil(pkgBytes / MiB)} MiB: a FAT update medium cannot hold a file of 4 GiB or more. Ship the .yup file itself (copied into /data/updates) instead.`);
  const stage = fs.mkdtempSync(path.join(path.dirname(i.raw), '.medium-'));
  try {
    // mcopy -m keeps the source's mtime: a private copy gets the pinned one (the package itself is a cache file).
    const staged = path.join(stage, path.basename(i.pkg));
    fs.copyFileSync(i.pkg, staged);
    fs.utimesSync(staged, i.epoch, i.epoch);
    const bytes = mediumBytesFor(pkgBytes);
    const o = { signal: i.signal, sourceDateEpoch: i.epoch };
    fs.rmSync(i.raw, { force: true });
    await mkfsVfat({ target: i.raw, sizeKiB: bytes / 1024, volumeId: i.volumeId, label: MEDIUM_LABEL, create: true, fat: bytes >= FAT32_FROM ? 32 : 16 }, o);
    await mcopyTo(i.raw, [staged], '/', o);
    // Read back what is on it: a medium without its package would install nothing, silently.
    const names = await mdir(i.raw, '::/', o);
    if (!names.includes(`::/${path.basename(i.pkg)}`)) {
      throw new Error(`The update medium ${i.raw} does not list ${path.basename(i.pkg)} after copying it (mdir shows: ${names.join(', ') || 'nothing'}).`);
    }
    fs.rmSync(i.vmdk, { force: true });
    await qemuImgConvert(i.raw, i.vmdk, ATTACHABLE_VMDK, { signal: i.signal });
    // qemu-img writes a random CID into the descriptor; the rest of a monolithicSparse vmdk is the same every time.
    pinVmdkCid(i.vmdk, i.volumeId.toLowerCase());
  } catch (e) {
    fs.rmSync(i.raw, { force: true });
    fs.rmSync(i.vmdk, { force: true });
    throw e;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
