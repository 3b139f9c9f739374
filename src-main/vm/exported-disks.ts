// The disks a hardware test boots: what a customer of that hypervisor receives, not the build's
// working copies. virtio: the raw outputs; VirtualBox and VMware: the vmdks inside the OVA, each
// copied out of the tar and converted back to raw with qemu-img in the VM's state folder (qemu
// reads streamOptimized vmdks very slowly, and the conversion is exact: `qemu-img compare`).
// The one change: a /yoke/control file on the copy's boot partition (GRUB then adds the control
// flag to the kernel command line), as the shipped disk
// never carries it and the checks talk over the control channel. Kernel, initrds, boot loader
// and data are the exported bytes, booted by the BIOS from the variant's controller.
import fs from 'node:fs';
import path from 'node:path';
import { CONTROL_FLAG } from '../build/init';
import { ESP_OFFSET } from '../build/osdisk';
import { BOOT_PATHS } from '../build/boot-loader';
import { ovaDiskName } from '../build/ova';
import { readTarIndex } from '../build/tar-index';
import { cpSparse } from '../tools/cp';
import { mcopyTo, mtoolsImage } from '../tools/mtools';
import { qemuImgToRaw } from '../tools/qemu-img';
import type { HardwareFamily } from './hardware';

export interface ExportedDisksInput {
  family: HardwareFamily;
  appliance: string;
  /** The build's OVA (needed for virtualbox and vmware). */
  ova: string | null;
  rawOs: string;
  rawData: string | null;
  /** The VM's state folder: the copies are made here and removed with it. */
  dir: string;
  signal?: AbortSignal;
}

export interface ExportedDisks {
  osDisk: string;
  dataDisk: string | null;
  /** What the disks were made from, for the log. */
  source: string;
}

/** Copies a tar member out (a plain byte range: members are stored contiguously). */
function extractMember(tar: string, name: string, dest: string): boolean {
  const m = readTarIndex(tar).find((x) => x.name === name);
  if (!m) return false;
  const from = fs.openSync(tar, 'r');
  const to = fs.openSync(dest, 'w');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let done = 0; done < m.size; ) {
      const n = fs.readSync(from, buf, 0, Math.min(buf.length, m.size - done), m.offset + done);
      if (n <= 0) throw new Error(`${tar} ends inside ${name}.`);
      fs.writeSync(to, buf, 0, n);
      done += n;
    }
  } finally {
    fs.closeSync(from);
    fs.closeSync(to);
  }
  return true;
}

/** Marks an OS disk copy for test boots: GRUB adds the control flag when /yoke/control exists. */
export async function addControlFlag(osDisk: string, signal?: AbortSignal): Promise<void> {
  const flag = path.join(path.dirname(osDisk), path.basename(BOOT_PATHS.control));
  fs.writeFileSync(flag, `${CONTROL_FLAG}\n`);
  try {
    await mcopyTo(mtoolsImage(osDisk, ESP_OFFSET), [flag], path.dirname(BOOT_PATHS.control), { signal });
  } finally {
    fs.rmSync(flag, { force: true });
  }
}

export async function prepareExportedDisks(i: ExportedDisksInput): Promise<ExportedDisks> {
  fs.mkdirSync(i.dir, { recursive: true });
  const osDisk = path.join(i.dir, 'os.raw');
  const dataDisk = i.rawData ? path.join(i.dir, 'data.raw') : null;
  let source: string;
  if (i.family === 'virtio') {
    await cpSparse(i.rawOs, osDisk, { signal: i.signal });
    if (dataDisk) await cpSparse(i.rawData!, dataDisk, { signal: i.signal });
    source = 'the raw exports';
  } else {
    if (!i.ova || !fs.existsSync(i.ova)) throw new Error(`Hardware ${i.family} boots the build's OVA, and this build has none. Add "ova" to outputs in appliance.yaml and build again.`);
    for (const [disk, out] of [['os', osDisk], ['data', dataDisk]] as const) {
      if (!out) continue;
      const vmdk = `${out}.vmdk`;
      if (!extractMember(i.ova, ovaDiskName(i.appliance, disk), vmdk)) throw new Error(`${i.ova} has no ${ovaDiskName(i.appliance, disk)}.`);
      try {
        await qemuImgToRaw(vmdk, 'vmdk', out, { signal: i.signal });
      } finally {
        fs.rmSync(vmdk, { force: true });
      }
    }
    source = `the vmdks in ${path.basename(i.ova)}, converted back to raw`;
  }
  await addControlFlag(osDisk, i.signal);
  return { osDisk, dataDisk, source };
}
