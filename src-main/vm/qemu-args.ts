// The qemu-system-x86_64 command line for one VM, built by a pure function so every flag is
// covered by a table-driven test without starting anything. The disks and NIC come from the
// hardware variant (vm/hardware.ts): this file never names a profile.
import { hardwareVariant, type HardwareVariant, type QemuDisk } from './hardware';

export type Accel = 'kvm' | 'tcg';
export type VmDiskFormat = 'raw' | 'qcow2' | 'vmdk';

export interface VmDisk {
  path: string;
  format: VmDiskFormat;
  /** Writes go to a throwaway overlay; the file itself is never changed (test runs). */
  snapshot?: boolean;
}

export interface HostForward {
  guest: number;
  host: number;
}

export interface VmConfig {
  vmid: string;
  accel: Accel;
  memoryMiB: number;
  cpus: number;
  osDisk?: VmDisk;
  dataDisk?: VmDisk;
  /** An update medium (build/updates/medium.ts): a third disk on the same controller, after the others. */
  mediumDisk?: VmDisk;
  /** Direct kernel boot (tests and fixtures); a disk boot needs none of these. */
  kernel?: string;
  initrd?: string;
  append?: string;
  forwards: HostForward[];
  /** The machine to emulate (vm/hardware.ts); virtio when not given. */
  hardware?: HardwareVariant;
  /** UEFI firmware (OVMF): its code, read-only, and this VM's own copy of the variable store. Unset: SeaBIOS. */
  uefi?: { code: string; vars: string };
  /** false: no network card at all. */
  network?: boolean;
  /**
   * true: the guest may open connections out (to the host's 127.0.0.1 through 10.0.2.2, the LAN,
   * the internet). Otherwise qemu's restrict=on isolates it: a VM under test must not reach
   * services on the host's loopback (it once reached `yoke serve`); forwards into it still work.
   */
  outbound?: boolean;
  consoleSocket: string;
  /** The second serial port, carrying the root shell of a test boot. */
  controlSocket?: string;
  /** The third serial port: the console's window size ("ROWS COLS" lines), read by the guest's init. */
  sizeSocket?: string;
  qmpSocket: string;
  /** A second QMP monitor for other processes (the owner keeps the first). */
  sharedQmpSocket?: string;
  pidFile: string;
  /**
   * true: a guest reboot restarts the machine, as a hypervisor does (a person's boot with an update
   * medium: the updater installs and reboots into the new version). Otherwise the VM ends (-no-reboot).
   */
  reboot?: boolean;
}

/** The `-name` every Yoke VM carries, so a reaper can tell its qemu from any other process. */
export function vmProcessName(vmid: string): string {
  return `yoke-${vmid}`;
}

/** qemu's option syntax splits on commas; a literal comma is written twice. */
export function qemuEscape(value: string): string {
  return value.replace(/,/g, ',,');
}

function qemuDisk(disk: VmDisk, id: QemuDisk['id'], slot: number): QemuDisk {
  return { id, file: qemuEscape(disk.path), format: disk.format, snapshot: disk.snapshot, slot };
}

function checkPort(n: number, what: string): void {
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${what} port ${n} is not a TCP port (1..65535).`);
}

export function qemuArgs(cfg: VmConfig): string[] {
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(cfg.vmid)) {
    throw new Error(`VM id "${cfg.vmid}" may only hold letters, digits, "-" and "_".`);
  }
  if (!(cfg.memoryMiB >= 16)) throw new Error(`VM memory ${cfg.memoryMiB} MiB is too small (at least 16 MiB).`);
  if (!Number.isInteger(cfg.cpus) || cfg.cpus < 1) throw new Error(`VM cpus ${cfg.cpus} must be a whole number ≥ 1.`);
  if (!cfg.osDisk && !cfg.kernel) throw new Error('A VM needs an OS disk or a kernel to boot.');

  const args = ['-name', vmProcessName(cfg.vmid)];
  // -nodefaults: only the devices listed here exist, so serial port numbering is ours to decide.
  args.push('-nodefaults', '-machine', 'pc');
  // TCG emulates whatever CPU it is told; "max" gives the guest every feature TCG can do.
  if (cfg.accel === 'kvm') args.push('-accel', 'kvm', '-cpu', 'host');
  else args.push('-accel', 'tcg', '-cpu', 'max');
  args.push('-m', String(Math.floor(cfg.memoryMiB)), '-smp', String(cfg.cpus));
  if (cfg.uefi) {
    args.push('-drive', `if=pflash,format=raw,unit=0,readonly=on,file=${qemuEscape(cfg.uefi.code)}`);
    args.push('-drive', `if=pflash,format=raw,unit=1,file=${qemuEscape(cfg.uefi.vars)}`);
  }
  // No window, but a VGA card so QMP screendump has a screen to capture.
  args.push('-display', 'none', '-device', 'VGA');

  const hw = cfg.hardware ?? hardwareVariant('virtio');
  // The data disk sits on the OS disk's controller, in the slot after it, as the OVF declares.
  const disks = [...(cfg.osDisk ? [qemuDisk(cfg.osDisk, 'os', 0)] : []), ...(cfg.dataDisk ? [qemuDisk(cfg.dataDisk, 'data', 1)] : [])];
  // After the OS and data disks, so it never takes their names in the guest (vda, vdb) or the BIOS's first place.
  if (cfg.mediumDisk) disks.push(qemuDisk(cfg.mediumDisk, 'medium', 2));
  if (disks.length > 0) args.push(...hw.diskArgs(disks));
  if (cfg.kernel) {
    args.push('-kernel', cfg.kernel);
    if (cfg.initrd) args.push('-initrd', cfg.initrd);
    if (cfg.append) args.push('-append', cfg.append);
  } else if (cfg.initrd || cfg.append) {
    throw new Error('initrd and append need a kernel (direct kernel boot).');
  }

  if (cfg.network !== false) {
    const seen = new Set<number>();
    const net = ['user', 'id=net0'];
    if (cfg.outbound !== true) net.push('restrict=on');
    for (const f of cfg.forwards) {
      checkPort(f.guest, 'Guest');
      checkPort(f.host, 'Host');
      if (seen.has(f.host)) throw new Error(`Host port ${f.host} is forwarded twice.`);
      seen.add(f.host);
      // Loopback only: a test VM's services must not be reachable from the network.
      net.push(`hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`);
    }
    args.push('-netdev', net.join(','), ...hw.nicArgs('net0'));
  } else if (cfg.forwards.length > 0) {
    throw new Error('Port forwards need the network.');
  }

  // wait=on: qemu does not start the guest until Yoke is reading, so no early line is lost.
  args.push('-chardev', `socket,id=console0,path=${qemuEscape(cfg.consoleSocket)},server=on,wait=on`);
  args.push('-serial', 'chardev:console0');
  if (cfg.controlSocket) {
    // The control shell starts late in boot and the channel resynchronises, so no wait here.
    args.push('-chardev', `socket,id=control0,path=${qemuEscape(cfg.controlSocket)},server=on,wait=off`);
    args.push('-serial', 'chardev:control0');
  } else if (cfg.sizeSocket) {
    // Keeps the size channel at ttyS2 whether or not there is a control shell.
    args.push('-serial', 'null');
  }
  if (cfg.sizeSocket) {
    args.push('-chardev', `socket,id=size0,path=${qemuEscape(cfg.sizeSocket)},server=on,wait=off`);
    args.push('-serial', 'chardev:size0');
  }
  args.push('-chardev', `socket,id=qmp0,path=${qemuEscape(cfg.qmpSocket)},server=on,wait=off`);
  args.push('-mon', 'chardev=qmp0,mode=control');
  if (cfg.sharedQmpSocket) {
    args.push('-chardev', `socket,id=qmp1,path=${qemuEscape(cfg.sharedQmpSocket)},server=on,wait=off`);
    args.push('-mon', 'chardev=qmp1,mode=control');
  }
  args.push('-pidfile', cfg.pidFile);
  // A guest reboot ends the VM: a test must notice it instead of booting again.
  if (!cfg.reboot) args.push('-no-reboot');
  return args;
}
