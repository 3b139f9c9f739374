import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { grubBootImg, grubMkimage } from '../tools/grub';
import { mcopyTo, mmd, mtoolsImage } from '../tools/mtools';
import { mkfsVfat } from '../tools/mkfs-vfat';
import { GPT_TYPES, sfdisk, type GptPartition } from '../tools/sfdisk';
import { BOOT_PATHS, envBlock, earlyConfig, fillSlotTemplate, grubCfg, INITIAL_STATE, LOCK_CLEAN, lockSums, patchedBootSector, patchedCoreImg, slotCfg, SLOT_PLACEHOLDER, SLOT_TEMPLATE } from './boot-loader';

/**
 * Boot fast under emulation: skip self-tests and probes a VM never needs (measured ~0.5 s).
 * Consoles: the serial port and the screen, tty0 last so /dev/console is the screen, the one
 * console VirtualBox and VMware give an imported OVA (neither adds a serial port).
 */
export const KERNEL_CMDLINE = 'console=ttyS0 console=tty0 quiet cryptomgr.notests tsc=reliable no_timer_check i8042.noaux random.trust_cpu=on mitigations=off';

const MiB = 1024 * 1024;
const SECTOR = 512;
/** GPT layout: the BIOS-boot partition (GRUB's core.img) at 1 MiB, the boot partition (ESP) after it. */
const BIOS_BOOT_SECTOR = 2048;
const BIOS_BOOT_SECTORS = 2048;
const ESP_SECTOR = BIOS_BOOT_SECTOR + BIOS_BOOT_SECTORS;
/** Where the FAT boot partition (the ESP, holding GRUB's files and both OS slots) starts. */
export const ESP_OFFSET = ESP_SECTOR * SECTOR;
/** The backup GPT at the end of the disk: 32 sectors of entries and a header. */
const GPT_BACKUP_BYTES = 33 * SECTOR;
/** The GPT partition names the guest's updater looks for (PARTNAME= in /sys/class/block/x/uevent). */
export const PART_NAMES = { biosBoot: 'bios-boot', esp: 'yoke-boot', rootA: 'root-a', rootB: 'root-b' } as const;

export interface OsDiskInput {
  out: string;
  sizeBytes: number;
  appliance: string;
  version: string;
  kernel: string;
  /** Initrd layers in load order (base first); the kernel unpacks them one over the other. */
  initrds: { name: string; path: string }[];
  cmdline: string;
  /** 8 hex digits: FAT volume id and the seed of every GUID, derived from the inputs. */
  id: string;
  epoch: number;
  signal?: AbortSignal;
  /** A root filesystem image (a Debian base's erofs) for slot a's root partition; slot b gets an empty one as large. */
  rootImage?: string;
}

const roundMiB = (n: number) => Math.ceil(n / MiB) * MiB;

/** A GUID from the disk's id and a role: the same inputs give the same partition table. */
export function pinnedGuid(id: string, role: string): string {
  const h = crypto.createHash('sha256').update(`${id}:${role}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

/** FAT overhead (tables, folders, GRUB's two images) plus cluster slack, generously rounded up. */
function fatOverhead(partBytes: number, fileCount: number): number {
  return Math.ceil(partBytes / 256) + 2 * MiB + fileCount * 32 * 1024;
}

/** Bytes of boot partition two slots of this payload need (the second slot: room for an update as large). */
export function espBytesFor(payloadBytes: number, fileCount: number): number {
  return roundMiB(2 * payloadBytes + fatOverhead(2 * payloadBytes, 2 * fileCount + 12) + 4 * MiB);
}

/** Both slots fit on a disk of `sizeBytes` holding only the boot partition (a busybox base). */
export function osDiskFits(sizeBytes: number, payloadBytes: number, fileCount: number): boolean {
  const esp = sizeBytes - ESP_OFFSET - GPT_BACKUP_BYTES;
  return 2 * payloadBytes + fatOverhead(esp, 2 * fileCount + 12) <= esp;
}

/** A root slot: the image plus a quarter for a later, larger version, at least 16 MiB more. */
export function rootSlotBytes(rootImageBytes: number): number {
  return roundMiB(Math.max(rootImageBytes * 1.25, rootImageBytes + 16 * MiB));
}

function copyInto(src: string, fd: number, offset: number): void {
  const buf = Buffer.alloc(MiB);
  const sfd = fs.openSync(src, 'r');
  try {
    for (let at = 0, n; (n = fs.readSync(sfd, buf, 0, buf.length, at)) > 0; at += n) fs.writeSync(fd, buf, 0, n, offset + at);
  } finally {
    fs.closeSync(sfd);
  }
}

interface Layout {
  espBytes: number;
  roots: { startSector: number; sectors: number }[];
}

function layout(i: OsDiskInput, payload: number, fileCount: number): Layout {
  const mib = (n: number) => `${Math.ceil(n / MiB)} MiB`;
  if (!i.rootImage) {
    if (!osDiskFits(i.sizeBytes, payload, fileCount)) {
      throw new Error(`The kernel and rootfs (${mib(payload)}) do not fit twice on the OS disk (${mib(i.sizeBytes)}): it keeps two OS slots so an update can be undone. Raise disks.os.size in appliance.yaml to at least ${mib(ESP_OFFSET + espBytesFor(payload, fileCount) + GPT_BACKUP_BYTES)} or make the overlay smaller.`);
    }
    return { espBytes: roundMiB(i.sizeBytes - ESP_OFFSET - GPT_BACKUP_BYTES) - MiB, roots: [] };
  }
  const espBytes = Math.max(32 * MiB, espBytesFor(payload, fileCount));
  const slot = rootSlotBytes(fs.statSync(i.rootImage).size);
  const need = ESP_OFFSET + espBytes + 2 * slot + GPT_BACKUP_BYTES;
  if (need > i.sizeBytes) {
    throw new Error(`The boot partition and two root slots (${mib(slot)} each, for the ${mib(fs.statSync(i.rootImage).size)} root filesystem and a later version) need ${mib(need)}, more than the OS disk's ${mib(i.sizeBytes)}. Raise disks.os.size in appliance.yaml to at least ${Math.ceil(need / MiB)}M.`);
  }
  const a = (ESP_OFFSET + espBytes) / SECTOR;
  return { espBytes, roots: [{ startSector: a, sectors: slot / SECTOR }, { startSector: a + slot / SECTOR, sectors: slot / SECTOR }] };
}

/**
 * A raw disk that boots under BIOS and UEFI, made without root, mount or loop devices: a GPT
 * (sfdisk on the file), GRUB's core.img in the BIOS-boot partition with boot.img's code in the
 * protective MBR, and a FAT boot partition written straight into the disk file (mkfs.vfat
 * --offset, mtools image@@offset) holding BOOTX64.EFI, grub.cfg, the boot state and slot a.
 */
export async function buildOsDisk(i: OsDiskInput): Promise<void> {
  const stage = fs.mkdtempSync(path.join(path.dirname(i.out), '.osdisk-'));
  try {
    const files = [{ name: 'vmlinuz', path: i.kernel }, ...i.initrds];
    const payload = files.reduce((n, f) => n + fs.statSync(f.path).size, 0);
    const lay = layout(i, payload, files.length);

    // mcopy names each copy after its source: every file is staged under its final name, in a
    // folder per destination, with a pinned mtime (mcopy -m keeps it).
    const slotDir = path.join(stage, 'a');
    fs.mkdirSync(slotDir);
    const slotNamed = files.map((f) => {
      const p = path.join(slotDir, f.name);
      fs.copyFileSync(f.path, p);
      return p;
    });
    const template = slotCfg({ appliance: i.appliance, version: i.version, slot: SLOT_PLACEHOLDER, kernel: 'vmlinuz', initrds: i.initrds.map((r) => r.name), cmdline: i.cmdline });
    slotNamed.push(path.join(slotDir, SLOT_TEMPLATE), path.join(slotDir, 'slot.cfg'));
    fs.writeFileSync(path.join(slotDir, SLOT_TEMPLATE), template);
    fs.writeFileSync(path.join(slotDir, 'slot.cfg'), fillSlotTemplate(template, 'a'));

    const early = path.join(stage, 'early.cfg');
    fs.writeFileSync(early, earlyConfig(i.id));
    const core = path.join(stage, 'core.img');
    const efiDir = path.join(stage, 'efi');
    fs.mkdirSync(efiDir);
    const efi = path.join(efiDir, 'BOOTX64.EFI');
    await grubMkimage('i386-pc', core, early, { signal: i.signal });
    await grubMkimage('x86_64-efi', efi, early, { signal: i.signal });
    const coreImg = fs.readFileSync(core);
    if (coreImg.length > BIOS_BOOT_SECTORS * SECTOR) throw new Error(`GRUB's core.img is ${coreImg.length} bytes, more than the BIOS-boot partition's ${BIOS_BOOT_SECTORS * SECTOR}.`);

    const grubDir = path.join(stage, 'grub');
    fs.mkdirSync(grubDir);
    fs.writeFileSync(path.join(grubDir, 'grub.cfg'), grubCfg());
    const yokeDir = path.join(stage, 'yoke');
    fs.mkdirSync(yokeDir);
    fs.writeFileSync(path.join(yokeDir, 'lock.sha256'), lockSums());
    const envDirs = ['env1', 'env2'].map((n) => {
      const d = path.join(stage, n);
      fs.mkdirSync(d);
      fs.writeFileSync(path.join(d, 'grubenv'), envBlock(INITIAL_STATE));
      fs.writeFileSync(path.join(d, 'lock'), LOCK_CLEAN);
      return d;
    });
    for (const d of [slotDir, efiDir, grubDir, yokeDir, ...envDirs]) for (const f of fs.readdirSync(d)) fs.utimesSync(path.join(d, f), i.epoch, i.epoch);

    fs.rmSync(i.out, { force: true });
    fs.writeFileSync(i.out, '');
    fs.truncateSync(i.out, i.sizeBytes);
    const parts: GptPartition[] = [
      { startSector: BIOS_BOOT_SECTOR, sectors: BIOS_BOOT_SECTORS, type: GPT_TYPES.biosBoot, name: PART_NAMES.biosBoot, uuid: pinnedGuid(i.id, 'bios-boot') },
      { startSector: ESP_SECTOR, sectors: lay.espBytes / SECTOR, type: GPT_TYPES.esp, name: PART_NAMES.esp, uuid: pinnedGuid(i.id, 'esp') },
      ...lay.roots.map((r, n) => ({ ...r, type: GPT_TYPES.linux, name: n === 0 ? PART_NAMES.rootA : PART_NAMES.rootB, uuid: pinnedGuid(i.id, `root-${n}`) })),
    ];
    await sfdisk(i.out, { diskGuid: pinnedGuid(i.id, 'disk'), partitions: parts }, { signal: i.signal });
    const partKiB = Math.floor(lay.espBytes / 1024);
    await mkfsVfat(
      { target: i.out, sizeKiB: partKiB, volumeId: i.id, label: 'YOKE', offsetSectors: ESP_SECTOR, fat: partKiB >= 64 * 1024 ? 32 : 16 },
      { signal: i.signal, sourceDateEpoch: i.epoch },
    );
    const image = mtoolsImage(i.out, ESP_OFFSET);
    const o = { signal: i.signal, sourceDateEpoch: i.epoch };
    // Folders parents first, files folder by folder in a fixed order: the FAT's entries are the same on every build.
    await mmd(image, ['EFI', 'EFI/BOOT', 'boot', 'boot/grub', 'yoke', 'yoke/env1', 'yoke/env2', 'a', 'b'], o);
    await mcopyTo(image, [efi], '/EFI/BOOT', o);
    await mcopyTo(image, [path.join(grubDir, 'grub.cfg')], '/boot/grub', o);
    await mcopyTo(image, [path.join(yokeDir, 'lock.sha256')], '/yoke', o);
    for (const [n, d] of envDirs.entries()) await mcopyTo(image, [path.join(d, 'grubenv'), path.join(d, 'lock')], BOOT_PATHS.envDirs[n], o);
    await mcopyTo(image, slotNamed, '/a', o);

    const fd = fs.openSync(i.out, 'r+');
    try {
      // boot.img's code before the protective MBR's partition entry; core.img in the BIOS-boot partition.
      const mbr = patchedBootSector(fs.readFileSync(grubBootImg()), BIOS_BOOT_SECTOR);
      fs.writeSync(fd, mbr, 0, mbr.length, 0);
      const c = patchedCoreImg(coreImg, BIOS_BOOT_SECTOR);
      fs.writeSync(fd, c, 0, c.length, BIOS_BOOT_SECTOR * SECTOR);
      if (i.rootImage) copyInto(i.rootImage, fd, lay.roots[0].startSector * SECTOR);
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
