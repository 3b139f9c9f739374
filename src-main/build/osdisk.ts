import fs from 'node:fs';
import path from 'node:path';
import { mcopy, mtoolsImage } from '../tools/mtools';
import { mkfsVfat } from '../tools/mkfs-vfat';
import { sfdisk } from '../tools/sfdisk';
import { findMbrBin, syslinuxInstall } from '../tools/syslinux';

/**
 * Boot fast under emulation: skip self-tests and probes a VM never needs (measured ~0.5 s).
 * Consoles: the serial port and the screen, tty0 last so /dev/console is the screen, the one
 * console VirtualBox and VMware give an imported OVA (neither adds a serial port).
 */
export const KERNEL_CMDLINE = 'console=ttyS0 console=tty0 quiet cryptomgr.notests tsc=reliable no_timer_check i8042.noaux random.trust_cpu=on mitigations=off';

const PART_START_SECTOR = 2048; // 1 MiB, the usual alignment
/** Where the FAT boot partition starts in the OS disk. */
export const PART_OFFSET = PART_START_SECTOR * 512;

export interface OsDiskInput {
  out: string;
  sizeBytes: number;
  kernel: string;
  /** Initrd layers in load order (base first); the kernel unpacks them one over the other. */
  initrds: { name: string; path: string }[];
  cmdline: string;
  /** 8 hex digits: FAT volume id and DOS disk id, derived from the inputs. */
  id: string;
  epoch: number;
  signal?: AbortSignal;
  /** A root filesystem image (a Debian base's erofs) for a second partition after the boot one. */
  rootImage?: string;
}

const MiB = 1024 * 1024;
const roundMiB = (n: number) => Math.ceil(n / MiB) * MiB;

export function syslinuxCfg(initrdNames: string[], cmdline: string): string {
  return ['DEFAULT yoke', 'PROMPT 0', 'TIMEOUT 0', 'LABEL yoke', '  KERNEL /vmlinuz', `  INITRD ${initrdNames.map((n) => `/${n}`).join(',')}`, `  APPEND ${cmdline}`, ''].join('\n');
}

/** FAT overhead (tables, root dir, syslinux's ~120 KiB) plus cluster slack, generously rounded up. */
export function osDiskFits(sizeBytes: number, payloadBytes: number, fileCount: number): boolean {
  const part = sizeBytes - PART_OFFSET;
  const overhead = Math.ceil(part / 256) + 512 * 1024 + fileCount * 32 * 1024;
  return payloadBytes + overhead <= part;
}

/** Copies a file into the disk at `offset` (the root partition), in 1 MiB chunks. */
function copyInto(src: string, fd: number, offset: number): void {
  const buf = Buffer.alloc(MiB);
  const sfd = fs.openSync(src, 'r');
  try {
    for (let at = 0, n; (n = fs.readSync(sfd, buf, 0, buf.length, at)) > 0; at += n) fs.writeSync(fd, buf, 0, n, offset + at);
  } finally {
    fs.closeSync(sfd);
  }
}

/**
 * A BIOS-bootable raw disk made without root, mount or loop devices: a DOS partition table,
 * syslinux's MBR, and a FAT filesystem written straight into the disk file at 1 MiB (mkfs.vfat
 * --offset, mtools image@@offset, syslinux --offset), so no partition image is copied around.
 */
export async function buildOsDisk(i: OsDiskInput): Promise<void> {
  const stage = fs.mkdtempSync(path.join(path.dirname(i.out), '.osdisk-'));
  try {
    const files = [{ name: 'vmlinuz', path: i.kernel }, ...i.initrds];
    const payload = files.reduce((n, f) => n + fs.statSync(f.path).size, 0);
    // With a root image the boot partition holds only the kernel and a small initramfs.
    const rootBytes = i.rootImage ? roundMiB(fs.statSync(i.rootImage).size) : 0;
    const bootBytes = i.rootImage ? Math.max(32 * MiB, roundMiB(payload * 1.25 + 4 * MiB)) : i.sizeBytes - PART_OFFSET;
    if (i.rootImage && PART_OFFSET + bootBytes + rootBytes > i.sizeBytes) {
      const need = Math.ceil((PART_OFFSET + bootBytes + rootBytes) / MiB);
      throw new Error(`The kernel, initramfs and root filesystem need ${need} MiB, more than the OS disk's ${Math.floor(i.sizeBytes / MiB)} MiB. Raise disks.os.size in appliance.yaml to at least ${need}M.`);
    }
    if (!i.rootImage && !osDiskFits(i.sizeBytes, payload, files.length + 1)) {
      const mib = (n: number) => `${Math.ceil(n / 1048576)} MiB`;
      throw new Error(`The kernel and rootfs (${mib(payload)}) do not fit on the OS disk (${mib(i.sizeBytes)}). Raise disks.os.size in appliance.yaml or make the overlay smaller.`);
    }
    // mcopy -m keeps each file's mtime: pin them so the FAT directory entries are reproducible.
    const staged: string[] = [];
    for (const f of files) {
      const p = path.join(stage, f.name);
      fs.copyFileSync(f.path, p);
      staged.push(p);
    }
    const cfg = path.join(stage, 'syslinux.cfg');
    fs.writeFileSync(cfg, syslinuxCfg(i.initrds.map((r) => r.name), i.cmdline));
    staged.push(cfg);
    for (const p of staged) fs.utimesSync(p, i.epoch, i.epoch);

    fs.rmSync(i.out, { force: true });
    fs.writeFileSync(i.out, '');
    fs.truncateSync(i.out, i.sizeBytes);
    const partKiB = Math.floor(bootBytes / 1024);
    const fat32 = partKiB >= 64 * 1024;
    const root = i.rootImage ? { startSector: (PART_OFFSET + bootBytes) / 512, sectors: rootBytes / 512 } : undefined;
    await sfdisk(i.out, { diskId: i.id, startSector: PART_START_SECTOR, type: fat32 ? 'c' : 'e', ...(root ? { sizeSectors: bootBytes / 512, root } : {}) }, { signal: i.signal });
    await mkfsVfat(
      { target: i.out, sizeKiB: partKiB, volumeId: i.id, label: 'YOKE', offsetSectors: PART_START_SECTOR, fat: fat32 ? 32 : 16 },
      { signal: i.signal, sourceDateEpoch: i.epoch },
    );
    const image = mtoolsImage(i.out, PART_OFFSET);
    await mcopy(image, staged, { signal: i.signal, sourceDateEpoch: i.epoch });
    await syslinuxInstall(i.out, PART_OFFSET, { signal: i.signal, sourceDateEpoch: i.epoch });
    // syslinux's MBR code (440 bytes) goes before the partition table sfdisk wrote.
    const mbr = fs.readFileSync(findMbrBin()).subarray(0, 440);
    const fd = fs.openSync(i.out, 'r+');
    try {
      fs.writeSync(fd, mbr, 0, mbr.length, 0);
      if (i.rootImage && root) copyInto(i.rootImage, fd, root.startSector * 512);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    fs.rmSync(i.out, { force: true });
    throw e;
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
