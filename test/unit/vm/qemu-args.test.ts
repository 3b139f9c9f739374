import { describe, expect, it } from 'vitest';
import { qemuArgs, qemuEscape, type VmConfig } from '../../../src-main/vm/qemu-args';
import { hardwareVariant } from '../../../src-main/vm/hardware';

const base: VmConfig = {
  vmid: 'abc-1',
  accel: 'tcg',
  memoryMiB: 256,
  cpus: 1,
  osDisk: { path: '/b/os.img', format: 'raw' },
  forwards: [],
  consoleSocket: '/s/console.sock',
  qmpSocket: '/s/qmp.sock',
  pidFile: '/s/qemu.pid',
};

/** The value following each occurrence of `flag`. */
function values(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []));
}

describe('qemuArgs', () => {
  const table: { name: string; cfg: Partial<VmConfig>; flag: string; want: string[] }[] = [
    { name: 'names the process for the reaper', cfg: {}, flag: '-name', want: ['yoke-abc-1'] },
    { name: 'tcg accelerator', cfg: {}, flag: '-accel', want: ['tcg'] },
    { name: 'tcg emulates the richest cpu', cfg: {}, flag: '-cpu', want: ['max'] },
    { name: 'kvm accelerator', cfg: { accel: 'kvm' }, flag: '-accel', want: ['kvm'] },
    { name: 'kvm passes the host cpu', cfg: { accel: 'kvm' }, flag: '-cpu', want: ['host'] },
    { name: 'memory in MiB', cfg: { memoryMiB: 512 }, flag: '-m', want: ['512'] },
    { name: 'cpus', cfg: { cpus: 2 }, flag: '-smp', want: ['2'] },
    { name: 'raw OS disk on virtio', cfg: {}, flag: '-drive', want: ['file=/b/os.img,if=virtio,format=raw,id=os'] },
    {
      name: 'throwaway qcow2 disk plus data disk',
      cfg: { osDisk: { path: '/b/os.qcow2', format: 'qcow2', snapshot: true }, dataDisk: { path: '/b/data.img', format: 'raw' } },
      flag: '-drive',
      want: ['file=/b/os.qcow2,if=virtio,format=qcow2,id=os,snapshot=on', 'file=/b/data.img,if=virtio,format=raw,id=data'],
    },
    { name: 'commas in paths are doubled', cfg: { osDisk: { path: '/a,b/os.img', format: 'raw' } }, flag: '-drive', want: ['file=/a,,b/os.img,if=virtio,format=raw,id=os'] },
    {
      name: 'forwards bind loopback only',
      cfg: { forwards: [{ guest: 80, host: 18080 }, { guest: 22, host: 12222 }] },
      flag: '-netdev',
      want: ['user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:18080-:80,hostfwd=tcp:127.0.0.1:12222-:22'],
    },
    // Issue 15 item 4: without restrict=on a guest reached every service on the host's 127.0.0.1 through 10.0.2.2.
    { name: 'the guest cannot connect out by default (restrict=on)', cfg: {}, flag: '-netdev', want: ['user,id=net0,restrict=on'] },
    { name: 'network.outbound: true lets the guest connect out', cfg: { outbound: true, forwards: [{ guest: 80, host: 18080 }] }, flag: '-netdev', want: ['user,id=net0,hostfwd=tcp:127.0.0.1:18080-:80'] },
    { name: 'console socket waits for its reader', cfg: {}, flag: '-serial', want: ['chardev:console0'] },
    {
      name: 'control channel is the second serial port',
      cfg: { controlSocket: '/s/control.sock' },
      flag: '-serial',
      want: ['chardev:console0', 'chardev:control0'],
    },
    {
      name: 'the console size channel is always the third serial port',
      cfg: { sizeSocket: '/s/size.sock' },
      flag: '-serial',
      want: ['chardev:console0', 'null', 'chardev:size0'],
    },
    {
      name: 'the console size channel follows the control channel',
      cfg: { controlSocket: '/s/control.sock', sizeSocket: '/s/size.sock' },
      flag: '-serial',
      want: ['chardev:console0', 'chardev:control0', 'chardev:size0'],
    },
    { name: 'QMP monitor', cfg: {}, flag: '-mon', want: ['chardev=qmp0,mode=control'] },
    { name: 'no window', cfg: {}, flag: '-display', want: ['none'] },
    { name: 'a VGA card for screenshots', cfg: {}, flag: '-device', want: ['VGA', 'virtio-net-pci,netdev=net0'] },
    { name: 'pidfile', cfg: {}, flag: '-pidfile', want: ['/s/qemu.pid'] },
    {
      name: 'direct kernel boot',
      cfg: { osDisk: undefined, kernel: '/k/vmlinuz', initrd: '/k/initrd', append: 'console=ttyS0 yoke.control=1' },
      flag: '-append',
      want: ['console=ttyS0 yoke.control=1'],
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      expect(values(qemuArgs({ ...base, ...t.cfg }), t.flag)).toEqual(t.want);
    });
  }

  it('declares the console chardev with wait=on and the others without', () => {
    const chardevs = values(qemuArgs({ ...base, controlSocket: '/s/control.sock' }), '-chardev');
    expect(chardevs).toEqual([
      'socket,id=console0,path=/s/console.sock,server=on,wait=on',
      'socket,id=control0,path=/s/control.sock,server=on,wait=off',
      'socket,id=qmp0,path=/s/qmp.sock,server=on,wait=off',
    ]);
  });

  it('has only the devices it lists, and never reboots', () => {
    const args = qemuArgs(base);
    expect(args).toContain('-nodefaults');
    expect(args).toContain('-no-reboot');
  });

  it('leaves out the network card when asked', () => {
    const args = qemuArgs({ ...base, network: false });
    expect(values(args, '-netdev')).toEqual([]);
    expect(values(args, '-device')).toEqual(['VGA']);
  });

  const bad: { name: string; cfg: Partial<VmConfig>; error: RegExp }[] = [
    { name: 'a vmid with spaces', cfg: { vmid: 'a b' }, error: /VM id "a b" may only hold/ },
    { name: 'no disk and no kernel', cfg: { osDisk: undefined }, error: /needs an OS disk or a kernel/ },
    { name: 'an initrd without kernel', cfg: { initrd: '/k/i' }, error: /need a kernel/ },
    { name: 'a port out of range', cfg: { forwards: [{ guest: 70000, host: 1 }] }, error: /Guest port 70000 is not a TCP port/ },
    { name: 'one host port twice', cfg: { forwards: [{ guest: 80, host: 9 }, { guest: 81, host: 9 }] }, error: /Host port 9 is forwarded twice/ },
    { name: 'forwards without network', cfg: { network: false, forwards: [{ guest: 80, host: 9 }] }, error: /need the network/ },
    { name: 'tiny memory', cfg: { memoryMiB: 4 }, error: /too small/ },
  ];
  for (const t of bad) {
    it(`rejects ${t.name}`, () => {
      expect(() => qemuArgs({ ...base, ...t.cfg })).toThrow(t.error);
    });
  }

  // Each hardware variant: the same two disks on its controller (OS slot 0, data slot 1) and its NIC.
  const withData: Partial<VmConfig> = { osDisk: { path: '/b/os.img', format: 'raw', snapshot: true }, dataDisk: { path: '/b/data.img', format: 'raw' } };
  const hwTable: { variant: string; drives: string[]; devices: string[] }[] = [
    {
      variant: 'virtio',
      drives: ['file=/b/os.img,if=virtio,format=raw,id=os,snapshot=on', 'file=/b/data.img,if=virtio,format=raw,id=data'],
      devices: ['VGA', 'virtio-net-pci,netdev=net0'],
    },
    {
      variant: 'virtualbox-ide',
      drives: ['file=/b/os.img,if=none,format=raw,id=os,snapshot=on', 'file=/b/data.img,if=none,format=raw,id=data'],
      devices: ['VGA', 'ide-hd,drive=os,bus=ide.0,unit=0', 'ide-hd,drive=data,bus=ide.0,unit=1', 'e1000,netdev=net0'],
    },
    {
      variant: 'virtualbox-sata',
      drives: ['file=/b/os.img,if=none,format=raw,id=os,snapshot=on', 'file=/b/data.img,if=none,format=raw,id=data'],
      devices: ['VGA', 'ich9-ahci,id=ahci0', 'ide-hd,drive=os,bus=ahci0.0', 'ide-hd,drive=data,bus=ahci0.1', 'e1000,netdev=net0'],
    },
    {
      variant: 'vmware-ide',
      drives: ['file=/b/os.img,if=none,format=raw,id=os,snapshot=on', 'file=/b/data.img,if=none,format=raw,id=data'],
      devices: ['VGA', 'ide-hd,drive=os,bus=ide.0,unit=0', 'ide-hd,drive=data,bus=ide.0,unit=1', 'e1000-82545em,netdev=net0'],
    },
    {
      variant: 'vmware-pvscsi',
      drives: ['file=/b/os.img,if=none,format=raw,id=os,snapshot=on', 'file=/b/data.img,if=none,format=raw,id=data'],
      devices: ['VGA', 'pvscsi,id=scsi0', 'scsi-hd,drive=os,bus=scsi0.0,scsi-id=0', 'scsi-hd,drive=data,bus=scsi0.0,scsi-id=1', 'vmxnet3,netdev=net0'],
    },
  ];
  for (const t of hwTable) {
    it(`${t.variant}: disks on its controller and its NIC`, () => {
      const args = qemuArgs({ ...base, ...withData, hardware: hardwareVariant(t.variant) });
      expect(values(args, '-drive')).toEqual(t.drives);
      expect(values(args, '-device')).toEqual(t.devices);
    });
  }

  // An update medium: a third disk on the same controller, after OS and data, never written (snapshot).
  const medium: Partial<VmConfig> = { ...withData, mediumDisk: { path: '/b/m.update.vmdk', format: 'vmdk', snapshot: true } };
  const mediumTable: { variant: string; device: string | null }[] = [
    { variant: 'virtio', device: null },
    { variant: 'virtualbox-ide', device: 'ide-hd,drive=medium,bus=ide.1,unit=0' },
    { variant: 'virtualbox-sata', device: 'ide-hd,drive=medium,bus=ahci0.2' },
    { variant: 'vmware-ide', device: 'ide-hd,drive=medium,bus=ide.1,unit=0' },
    { variant: 'vmware-pvscsi', device: 'scsi-hd,drive=medium,bus=scsi0.0,scsi-id=2' },
  ];
  for (const t of mediumTable) {
    it(`${t.variant}: an update medium is the third disk on the same controller`, () => {
      const args = qemuArgs({ ...base, ...medium, hardware: hardwareVariant(t.variant) });
      const drives = values(args, '-drive');
      expect(drives).toHaveLength(3);
      expect(drives[2]).toBe(`file=/b/m.update.vmdk,if=${t.variant === 'virtio' ? 'virtio' : 'none'},format=vmdk,id=medium,snapshot=on`);
      if (t.device) expect(values(args, '-device')).toContain(t.device);
      // The OS and data disks keep their places.
      expect(drives.slice(0, 2)).toEqual(hwTable.find((h) => h.variant === t.variant)!.drives);
    });
  }

  it('a guest reboot ends the VM, unless the machine is to restart as a hypervisor would (a person boot installing an update)', () => {
    expect(qemuArgs(base)).toContain('-no-reboot');
    expect(qemuArgs({ ...base, reboot: true })).not.toContain('-no-reboot');
  });

  it('rejects an unknown hardware name, listing the known ones', () => {
    expect(() => hardwareVariant('hyperv')).toThrow(/Unknown hardware "hyperv".*virtualbox-ide/);
  });

  it('escapes commas', () => {
    expect(qemuEscape('a,b,,c')).toBe('a,,b,,,,c');
  });
});
