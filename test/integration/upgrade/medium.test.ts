// An offline customer's update: 1.0.0 runs from its own OS disk (booted through GRUB, as shipped)
// and gets 1.1.0's update medium attached as a third disk, the .update.vmdk a customer receives.
// At boot its updater finds the medium, installs 1.1.0 into the other slot and reboots; 1.1.0
// boots on trial and commits. A later boot with the medium still attached stays on 1.1.0,
// installs nothing and refuses nothing.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import { bootFilesOf } from '../../../src-main/jobs/build-files';
import { MARKERS } from '../../../src-main/build/init';
import { UPDATE_MARKERS } from '../../../src-main/build/updates/updater-script';
import { cpSparse } from '../../../src-main/tools/cp';
import { addControlFlag } from '../../../src-main/vm/exported-disks';
import type { VirtualMachine } from '../../../src-main/vm/hypervisor';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from './helpers';

afterAll(() => removeTestHomes());

/** Resolves true when the VM ends by itself (the updater's reboot: qemu runs with -no-reboot) within `ms`. */
const endsWithin = (vm: VirtualMachine, ms: number) => Promise.race([vm.exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), ms))]);

/** One data directory and one OLD build for both tests. */
let shared: Promise<{ home: string; b1: number }> | undefined;
const oldBuild = () =>
  (shared ??= (async () => {
    const home = await makeTestHome('yoke-medium-');
    return { home, b1: await buildId(home, makeAppliance(home, 'v1', '1.0.0')) };
  })());

/** NEW 1.1.0, built once: its build number and its update medium's files. */
type NewBuild = { b2: number; media: { format: string; path: string }[] };
let built11: Promise<NewBuild> | undefined;
const newBuild = (): Promise<NewBuild> =>
  (built11 ??= (async () => {
    const { home } = await oldBuild();
    const built = await cli(home, 'build', makeAppliance(home, 'v2', '1.1.0'), '--json');
    if (built.code !== 0) throw new Error(`build of 1.1.0 failed: ${built.err}`);
    return { b2: built.json.build.id as number, media: built.json.build.artifacts.filter((a: { kind?: string }) => a.kind === 'update-medium') };
  })());

/** OLD's OS disk as a customer's VM holds it: a private, writable copy (with the control flag, so the test can ask the guest what it runs) and a data disk kept across every boot. */
async function customerDisks(engine: Engine, b1: number, dir: string): Promise<{ os: string; data: string }> {
  const files = bootFilesOf(engine.store().getBuild(b1)!);
  fs.mkdirSync(dir);
  const os = path.join(dir, 'os.raw');
  const data = path.join(dir, 'data.raw');
  await cpSparse(files.osDisk, os);
  await addControlFlag(os);
  await cpSparse(files.dataDisk!, data);
  return { os, data };
}

// BIOS and UEFI (OVMF): VirtualBox and VMware offer both, and a customer's VM may use either.
it.each(['bios', 'uefi'] as const)('%s: 1.0.0 with 1.1.0 update medium attached installs it, reboots on trial, commits, and later boots leave it be', async (firmware) => {
  const { home, b1 } = await oldBuild();
  const { b2, media } = await newBuild();
  expect(media.map((a) => `${a.format} ${path.basename(a.path)}`).sort()).toEqual(['raw hello-web-1.1.0.update.raw', 'vmdk hello-web-1.1.0.update.vmdk']);
  const vmdk = media.find((a) => a.format === 'vmdk')!.path;

  const engine = new Engine({ home, face: 'cli' });
  const consoles: string[] = [];
  try {
    const { os, data } = await customerDisks(engine, b1, path.join(home, `medium-run-${firmware}`));
    const boot = async (id: number) => {
      const live = await engine.machines.launch({ buildId: id, purpose: 'upgrade', osDisk: os, dataDisk: data, direct: false, medium: vmdk, firmware });
      return live.machine;
    };
    const release = async (vm: VirtualMachine) => (await vm.execute('cat /etc/yoke/release', { timeoutMs: 15_000 })).stdout.trim();

    // 1: OLD finds the medium, installs NEW into the other slot and reboots.
    const first = await boot(b1);
    const rebooted = await endsWithin(first, 180_000);
    consoles.push(first.console.output);
    if (first.isRunning) await first.kill();
    expect(rebooted, consoles.join('\n-----\n').slice(-3000)).toBe(true);
    expect(consoles[0]).toMatch(/yoke-update: update medium \/dev\/\w+ attached/);
    expect(consoles[0]).toContain('yoke-update: installing hello-web 1.1.0 from hello-web-1.1.0.full.yup into slot b');
    expect(consoles[0]).toContain(`${UPDATE_MARKERS.applied} hello-web 1.1.0 (was 1.0.0)`);

    // 2: GRUB starts NEW on trial; it becomes ready and commits (the medium still attached).
    const second = await boot(b2);
    try {
      await second.waitForConsoleText(new RegExp(`${UPDATE_MARKERS.committed} hello-web 1.1.0`), 180_000);
      expect(second.console.output).toContain(`${UPDATE_MARKERS.trial} of hello-web 1.1.0 in slot b`);
      expect(await release(second)).toBe('hello-web 1.1.0');
      await second.stop({ graceMs: 15_000 });
    } finally {
      consoles.push(second.console.output);
      if (second.isRunning) await second.kill();
    }

    // 3: a plain power-on later: 1.1.0, committed; the medium's package is not news (no install, no refusal, no reboot).
    const third = await boot(b2);
    try {
      await third.waitForConsoleText(new RegExp(MARKERS.ready), 120_000);
      expect(await release(third)).toBe('hello-web 1.1.0');
      const out = third.console.output;
      expect(out).toMatch(/yoke-update: update medium \/dev\/\w+ attached/);
      for (const noise of ['yoke-update: installing', UPDATE_MARKERS.applied, UPDATE_MARKERS.refused, UPDATE_MARKERS.trial, UPDATE_MARKERS.rolledBack]) expect(out).not.toContain(noise);
      expect((await third.execute('ls /data/updates/refused /data/updates/failed 2>/dev/null | wc -l', { timeoutMs: 15_000 })).stdout.trim()).toBe('0');
      expect(third.isRunning).toBe(true);
      await third.stop({ graceMs: 15_000 });
    } finally {
      consoles.push(third.console.output);
      if (third.isRunning) await third.kill();
    }
  } catch (e) {
    console.log(consoles.map((c) => c.slice(-2500)).join('\n----- next boot -----\n'));
    throw e;
  } finally {
    await engine.close();
  }
}, 600_000);

it('a medium whose version rolls back (it mounts LABEL=appdata) leaves 1.0.0 running, and is not installed again at the next boot', async () => {
  const { home, b1 } = await oldBuild();
  const bad = makeAppliance(home, 'v2-appdata', '1.2.0', (yaml, dir) => {
    fs.mkdirSync(path.join(dir, 'rootfs', 'etc'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'rootfs', 'etc', 'fstab'), 'LABEL=appdata\t/data\text4\tdefaults\t0\t2\n');
    return yaml.replace('label: data', 'label: appdata').replace('- mount: /data', '- mount: /data\n    timeout: 5s');
  });
  const built = await cli(home, 'build', bad, '--json');
  expect(built.code, built.err).toBe(0);
  const b2 = built.json.build.id as number;
  const raw = built.json.build.artifacts.find((a: { kind?: string; format: string }) => a.kind === 'update-medium' && a.format === 'raw').path as string;
  const engine = new Engine({ home, face: 'cli' });
  const consoles: string[] = [];
  try {
    const { os, data } = await customerDisks(engine, b1, path.join(home, 'rollback-run'));
    const boot = async (id: number) => (await engine.machines.launch({ buildId: id, purpose: 'upgrade', osDisk: os, dataDisk: data, direct: false, medium: raw })).machine;
    // 1: installs 1.2.0 from the medium and reboots; 2: 1.2.0's trial cannot mount /data and gives itself up.
    for (const [id, marker] of [[b1, UPDATE_MARKERS.applied], [b2, UPDATE_MARKERS.trialFailed]] as const) {
      const vm = await boot(id);
      const ended = await endsWithin(vm, 180_000);
      consoles.push(vm.console.output);
      if (vm.isRunning) await vm.kill();
      expect(ended).toBe(true);
      expect(vm.console.output).toContain(marker);
    }
    expect(consoles[1]).toContain('trial of hello-web 1.2.0 failed: LABEL=appdata is not mounted on /data');
    // 3: GRUB goes back to 1.0.0, which records why and leaves the still-attached medium alone.
    const third = await boot(b1);
    try {
      await third.waitForConsoleText(new RegExp(MARKERS.ready), 120_000);
      const out = third.console.output;
      expect(out).toContain(`${UPDATE_MARKERS.rolledBack} from hello-web 1.2.0 to 1.0.0: LABEL=appdata is not mounted on /data`);
      expect(out).toContain('yoke-update: not installing hello-web 1.2.0 from the update medium: it rolled back before');
      expect(out).not.toContain('yoke-update: installing');
      expect((await third.execute('cat /etc/yoke/release /data/updates/failed/hello-web-1.2.0.reason', { timeoutMs: 15_000 })).stdout.trim()).toBe('hello-web 1.0.0\nLABEL=appdata is not mounted on /data');
      expect(third.isRunning).toBe(true);
      await third.stop({ graceMs: 15_000 });
    } finally {
      consoles.push(third.console.output);
      if (third.isRunning) await third.kill();
    }
  } catch (e) {
    console.log(consoles.map((c) => c.slice(-2500)).join('\n----- next boot -----\n'));
    throw e;
  } finally {
    await engine.close();
  }
}, 600_000);

it('yoke boot --medium: a person boot of 1.0.0 with the medium installs 1.1.0 and restarts into it, the build\'s disks untouched', async () => {
  const { home, b1 } = await oldBuild();
  const { media } = await newBuild();
  const vmdk = media.find((a) => a.format === 'vmdk')!.path;
  const engine = new Engine({ home, face: 'cli' });
  const osDisk = bootFilesOf(engine.store().getBuild(b1)!).osDisk;
  const before = fs.readFileSync(osDisk);
  let out = '';
  try {
    // What `yoke boot --build N --medium FILE` asks the engine for.
    const { vmId } = await engine.request('vms.boot', { buildId: b1, medium: vmdk });
    const vm = engine.machines.live(vmId).machine;
    try {
      await vm.waitForConsoleText(new RegExp(`${UPDATE_MARKERS.committed} hello-web 1.1.0`), 240_000);
      out = vm.console.output;
      expect(out).toContain(`${UPDATE_MARKERS.applied} hello-web 1.1.0 (was 1.0.0)`);
      // The same qemu went on after the updater's reboot, as VirtualBox or VMware would.
      expect(vm.isRunning).toBe(true);
      expect(out.indexOf('starting hello-web 1.1.0')).toBeGreaterThan(out.indexOf(UPDATE_MARKERS.applied));
      await engine.request('vms.stop', { id: vmId, force: false });
    } finally {
      out = vm.console.output;
      if (vm.isRunning) await vm.kill();
    }
    expect(fs.readFileSync(osDisk).equals(before)).toBe(true);
  } catch (e) {
    console.log(out.slice(-4000));
    throw e;
  } finally {
    await engine.close();
  }
}, 600_000);
