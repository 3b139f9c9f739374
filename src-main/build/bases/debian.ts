// The Debian base: real packages (base.packages) installed by mmdebstrap into a read-only erofs
// root filesystem on the OS disk, under a small busybox initramfs that mounts it. The package set
// is its own cached stage (debian-packages.ts), so an overlay change never installs packages again.
import fs from 'node:fs';
import path from 'node:path';
import { CpioTree } from '../cpio';
import { generateShutdown, generateUdhcpcScript } from '../init';
import { FAT_MODULES, guestModulePath } from '../modules';
import { busyboxApplets, findStaticBusybox } from '../../tools/busybox';
import { fileIdentity } from '../tool-ids';
import type { Base } from './base';
import { generateStage1, IMAGE_BUSYBOX } from './debian-stage1';

/** The read-only root and its writable overlays; the cloud kernel has crc32c built in, the generic one as a module. */
export const DEBIAN_ROOT_MODULES = ['crc32c_generic', 'erofs', 'overlay'];
const ACPI = ['button', 'evdev'];

/** Yoke's helper scripts run by the image's static busybox, whose applets Debian's essential set lacks. */
const byBusybox = (script: string) => script.replace(/^#!\/bin\/sh/, `#!${IMAGE_BUSYBOX} sh`);

/**
 * The files Yoke adds to every Debian root (under the appliance's own layer): the static busybox
 * the generated init runs on, the DHCP hook, the power-button handler.
 */
export async function debianYokeTree(signal?: AbortSignal): Promise<CpioTree> {
  const t = new CpioTree();
  const bb = findStaticBusybox();
  t.add({ path: IMAGE_BUSYBOX.slice(1), type: 'file', mode: 0o755, source: bb, size: fs.statSync(bb).size });
  for (const applet of await busyboxApplets(bb, { signal })) {
    t.add({ path: `${TOOL_PATH.slice(1)}/${path.posix.basename(applet)}`, type: 'symlink', target: '../busybox' });
  }
  t.add({ path: 'usr/share/udhcpc/default.script', type: 'file', mode: 0o755, data: Buffer.from(byBusybox(generateUdhcpcScript())) });
  t.add({ path: 'usr/sbin/yoke-shutdown', type: 'file', mode: 0o755, data: Buffer.from(byBusybox(generateShutdown())) });
  t.add({ path: 'etc/acpi/PWRF/00000080', type: 'symlink', target: '/usr/sbin/yoke-shutdown' });
  return t;
}

/** busybox's applets as links, first on the generated init's PATH (services get the system's PATH). */
export const TOOL_PATH = '/usr/lib/yoke/bin';

export const debianBase: Base = {
  userland: 'debian',
  rootOnDisk: true,
  toolPath: TOOL_PATH,
  identity: () => ({ busybox: fileIdentity(findStaticBusybox()), stage1: generateStage1([]), generated: [generateShutdown(), generateUdhcpcScript()] }),
  // FAT: the updater in the root mounts the boot partition and update media (no module files after switch_root).
  modulesWanted: () => [...DEBIAN_ROOT_MODULES, ...ACPI, ...FAT_MODULES],
  // Everything is loaded in the initramfs: after switch_root its module files are gone.
  lateModules: () => [],
  /** The initramfs: busybox, the modules, stage 1. The Debian tree itself is the rootfs stage's. */
  async tree({ kernel, modules, signal }) {
    const t = new CpioTree();
    for (const d of ['bin', 'sbin', 'proc', 'sys', 'dev', 'root', 'tmp']) t.add({ path: d, type: 'dir', mode: 0o755 });
    t.add({ path: 'dev/console', type: 'chardev', mode: 0o600, major: 5, minor: 1 });
    const bb = findStaticBusybox();
    t.add({ path: 'bin/busybox', type: 'file', mode: 0o755, source: bb, size: fs.statSync(bb).size });
    for (const applet of await busyboxApplets(bb, { signal })) {
      if (applet !== 'bin/busybox') t.add({ path: applet, type: 'symlink', target: '/bin/busybox' });
    }
    for (const m of modules) {
      const src = path.join(kernel.modulesDir!, m.relPath);
      t.add({ path: `lib/modules/${kernel.version}/${m.relPath}`, type: 'file', mode: 0o644, source: src, size: fs.statSync(src).size });
    }
    t.add({ path: 'init', type: 'file', mode: 0o755, data: Buffer.from(generateStage1(modules.map((m) => guestModulePath(kernel.version, m)))) });
    return t;
  },
};
