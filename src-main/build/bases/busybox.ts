// The busybox base: static busybox and its applets, the few files every appliance shares, and
// the kernel modules its init loads. Small (about 1 MB compressed) and quick to boot.
import fs from 'node:fs';
import path from 'node:path';
import { CpioTree } from '../cpio';
import { generateShutdown, generateUdhcpcScript } from '../init';
import type { KernelModule } from '../modules';
import { busyboxApplets, findStaticBusybox } from '../../tools/busybox';
import type { Base } from './base';
import { fileIdentity } from '../tool-ids';

export interface BaseInput {
  busybox: string;
  /** Applet paths from `busybox --list-full`, e.g. "bin/sh". */
  applets: string[];
  kernelVersion: string;
  modulesDir: string;
  modules: KernelModule[];
}

/**
 * The base layer: static busybox and its applet links, the kernel modules the appliance needs,
 * and the few files every appliance shares. It depends only on the kernel and busybox, so it is
 * built once and reused by every appliance and every overlay change.
 */
function baseTree(input: BaseInput): CpioTree {
  const t = new CpioTree();
  for (const d of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'proc', 'sys', 'dev', 'run', 'tmp', 'var/log', 'root', 'data', 'srv', 'mnt']) {
    t.add({ path: d, type: 'dir', mode: d === 'tmp' ? 0o1777 : d === 'root' ? 0o700 : 0o755 });
  }
  // The kernel opens /dev/console for init's stdio before devtmpfs is mounted.
  t.add({ path: 'dev/console', type: 'chardev', mode: 0o600, major: 5, minor: 1 });
  const bbSize = fs.statSync(input.busybox).size;
  t.add({ path: 'bin/busybox', type: 'file', mode: 0o755, source: input.busybox, size: bbSize });
  for (const applet of input.applets) {
    if (applet === 'bin/busybox') continue;
    t.add({ path: applet, type: 'symlink', target: '/bin/busybox' });
  }
  const text = (p: string, s: string, mode = 0o644) => t.add({ path: p, type: 'file', mode, data: Buffer.from(s) });
  text('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  text('etc/group', 'root:x:0:\nnogroup:x:65534:\n');
  text('etc/shadow', 'root:*:19000:0:99999:7:::\nnobody:*:19000:0:99999:7:::\n', 0o600);
  text('etc/shells', '/bin/sh\n');
  text('etc/profile', 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin\nexport PS1="\\h:\\w# "\n');
  text('etc/resolv.conf', 'nameserver 10.0.2.3\n');
  text('usr/share/udhcpc/default.script', generateUdhcpcScript(), 0o755);
  text('sbin/yoke-shutdown', generateShutdown(), 0o755);
  // busybox acpid runs ./PWRF/00000080 in its config dir when the power button is pressed.
  t.add({ path: 'etc/acpi/PWRF/00000080', type: 'symlink', target: '/sbin/yoke-shutdown' });
  for (const m of input.modules) {
    const src = path.join(input.modulesDir, m.relPath);
    t.add({ path: `lib/modules/${input.kernelVersion}/${m.relPath}`, type: 'file', mode: 0o644, source: src, size: fs.statSync(src).size });
  }
  return t;
}

/** Needed only for the ACPI power button (busybox acpid reads evdev events from the button driver). */
export const ACPI_MODULES = ['button', 'evdev'];

export const busyboxBase: Base = {
  userland: 'busybox',
  // Content identity, not the path: the same busybox in two places gives the same key.
  identity: () => ({ busybox: fileIdentity(findStaticBusybox()), generated: [generateShutdown(), generateUdhcpcScript()] }),
  modulesWanted: () => ACPI_MODULES,
  lateModules: () => ACPI_MODULES,
  async tree({ kernel, modules, signal }) {
    const busybox = findStaticBusybox();
    const applets = await busyboxApplets(busybox, { signal });
    return baseTree({ busybox, applets, kernelVersion: kernel.version, modulesDir: kernel.modulesDir!, modules });
  },
};
