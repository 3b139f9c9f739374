// The sample appliance's exported disks on every hardware profile: what a customer of each
// hypervisor gets (the OVA's vmdks for VirtualBox and VMware, converted back to raw; the raw
// outputs for virtio), booted through their own boot loader on qemu's stand-in for that
// hardware, the data disk on the same controller. Each boot must mount /data and answer HTTP
// through a host port forward, with the drivers of that hardware loaded.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../../src-main/build/pipeline';
import { lintOva } from '../../../src-main/build/ova-lint';
import { loadSpec } from '../../../src-main/spec/load';
import { Machine } from '../../../src-main/vm/machine';
import { prepareExportedDisks } from '../../../src-main/vm/exported-disks';
import { hardwareVariant } from '../../../src-main/vm/hardware';
import { assertEmulatable } from '../../../src-main/vm/hardware-support';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { tmpAppliance } from '../../unit/spec/fixtures';

const SAMPLE = path.resolve(__dirname, '../../../resources/sample/hello-web');

let home: string;
let ova: string;
let rawOs: string;
let rawData: string;
const live: Machine[] = [];

beforeAll(async () => {
  home = await makeTestHome('yoke-hw-');
  const { spec } = loadSpec(SAMPLE);
  // The sample's ova output declares virtualbox and vmware: the build takes the generic kernel.
  expect(spec!.vm.hardware).toEqual(['virtio', 'virtualbox', 'vmware']);
  const build = await runBuild({ home, spec: spec!, outputs: ['raw', 'ova'], flavour: 'small' });
  const art = (kind: string, disk?: string) => build.artifacts.find((a) => a.kind === kind && (disk === undefined || a.disk === disk))!;
  ova = art('ova').path;
  rawOs = build.artifacts.find((a) => a.kind === 'disk' && a.disk === 'os' && a.format === 'raw')!.path;
  rawData = build.artifacts.find((a) => a.kind === 'disk' && a.disk === 'data' && a.format === 'raw')!.path;
}, 600_000);

afterAll(async () => {
  for (const m of live) await m.kill();
  removeTestHomes();
});

async function httpOk(port: number, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    try {
      // A short timeout: qemu accepts the forwarded connection before the guest listens.
      const r = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(300) });
      if (r.status === 200 && (await r.text()).includes('hello')) return true;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

// The drivers each profile's hardware binds in the guest (lsmod), proving the emulated machine is the intended one.
const TABLE: { variant: string; disk: string; nic: string }[] = [
  { variant: 'virtio', disk: 'virtio_blk', nic: 'virtio_net' },
  { variant: 'virtualbox-ide', disk: 'ata_piix', nic: 'e1000' },
  { variant: 'virtualbox-sata', disk: 'ahci', nic: 'e1000' },
  { variant: 'vmware-ide', disk: 'ata_piix', nic: 'e1000' },
  { variant: 'vmware-pvscsi', disk: 'vmw_pvscsi', nic: 'vmxnet3' },
];

describe('the sample appliance on each hardware profile, from its exported disks', () => {
  it('ships an OVA both importers accept (yoke lint-ova finds nothing)', async () => {
    expect(await lintOva(ova)).toEqual([]);
  });

  for (const t of TABLE) {
    it(`${t.variant}: /data mounted and HTTP through the host forward`, async () => {
      const v = hardwareVariant(t.variant);
      await assertEmulatable(v);
      const dir = fs.mkdtempSync(path.join(home, `vm-${t.variant}-`));
      const disks = await prepareExportedDisks({ family: v.family, appliance: 'hello-web', ova, rawOs, rawData, dir });
      expect(disks.source).toMatch(v.family === 'virtio' ? /raw exports/ : /hello-web-1\.0\.0\.ova/);
      const t0 = Date.now();
      const m = new Machine({
        home,
        hardware: v,
        osDisk: { path: disks.osDisk, format: 'raw' },
        dataDisk: { path: disks.dataDisk!, format: 'raw' },
        forwards: [{ guest: 80 }],
        memoryMiB: 256,
        control: true,
        appliance: 'hello-web',
        version: '1.0.0',
      });
      live.push(m);
      await m.start();
      const answered = await httpOk(m.hostPort(80)!, t0 + 150_000);
      const ms = Date.now() - t0;
      expect(answered, `no HTTP answer; console:\n${m.console.tail(20).join('\n')}`).toBe(true);
      await m.waitForControl(60_000);
      expect(await m.succeed("grep ' /data ' /proc/mounts")).toMatch(/^\/dev\/\S+ \/data ext4 /);
      // Booted by the BIOS from that controller through the disk's GRUB (it adds BOOT_IMAGE), not a direct kernel boot.
      expect(await m.succeed('cat /proc/cmdline')).toMatch(/^BOOT_IMAGE=\/a\/vmlinuz .*console=tty0.* yoke\.slot=a .*yoke\.control=1/);
      const mods = await m.succeed("cut -d' ' -f1 /proc/modules");
      expect(mods.split('\n')).toEqual(expect.arrayContaining([t.disk, t.nic]));
      // The console is on the screen too: the log lines a customer sees in the hypervisor window.
      expect(m.console.output).toContain('yoke: mounted LABEL=data on /data');
      const ready = /yoke: ready after ([\d.]+)s/.exec(m.console.output)?.[1];
      console.log(`[measure] hardware ${t.variant}: start to HTTP 200 ${ms} ms (guest uptime at ready ${ready} s)`);
      expect(await m.stop({ graceMs: 30_000 })).toBe('powerdown');
      fs.rmSync(dir, { recursive: true, force: true });
    }, 240_000);
  }

  it('refuses to build VirtualBox hardware on a kernel without its drivers, naming profile, driver and kernel', async () => {
    const cloud = fs.readdirSync(path.join(home, 'cache', 'kernels')).find((v) => /-cloud-/.test(v))!;
    // base.kernel: PATH (relative to the appliance) naming Debian's cloud kernel, which has no e1000 or ahci.
    const dir = tmpAppliance(`name: nodrv\nversion: 1.0.0\nbase:\n  kernel: k/boot/vmlinuz-${cloud}\nvm:\n  hardware: [virtualbox]\noutputs: [raw]\n`);
    const src = path.join(home, 'cache', 'kernels', cloud);
    fs.mkdirSync(path.join(dir, 'k', 'boot'), { recursive: true });
    fs.copyFileSync(path.join(src, 'boot', `vmlinuz-${cloud}`), path.join(dir, 'k', 'boot', `vmlinuz-${cloud}`));
    // Modules are read only from inside the appliance folder: depmod's index is all the driver check reads.
    const mods = path.join(dir, 'k', 'lib', 'modules', cloud);
    fs.mkdirSync(path.join(mods, 'kernel'), { recursive: true });
    for (const f of ['modules.dep', 'modules.alias', 'modules.softdep', 'modules.builtin', 'modules.builtin.modinfo']) fs.copyFileSync(path.join(src, 'lib', 'modules', cloud, f), path.join(mods, f));
    const { spec, problems } = loadSpec(dir);
    expect(problems).toEqual([]);
    await expect(runBuild({ home, spec: spec!, outputs: ['raw'] })).rejects.toThrow(
      new RegExp(`The kernel ${cloud.replace(/\./g, '\\.')} .*has no driver for the .* that hardware profile virtualbox-(ide|sata) needs`),
    );
  });
});
