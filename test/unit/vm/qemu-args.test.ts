import { describe, expect, it } from 'vitest';
import { qemuArgs, qemuEscape, type VmConfig } from '../../../src-main/vm/qemu-args';

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

  it('escapes commas', () => {
    expect(qemuEscape('a,b,,c')).toBe('a,,b,,,,c');
  });
});
