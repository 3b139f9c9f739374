// Faults during an update, on the A/B disk, under one firmware (faults-bios.test.ts and
// faults-uefi.test.ts run the same list). Whatever happens, the appliance then boots the old or
// the new version, never neither, and /data passes `e2fsck -fn` with the seeded marker intact.
// Each boot is started here as a power-on would (qemu runs with -no-reboot, so every reboot of
// the guest ends its VM); power cuts are real SIGKILLs of qemu. Two faults cannot be caused
// from outside at the right instant and are made on the disk instead, named so: a torn write of
// the boot state (the copy GRUB reads first is left half-written with its lock set) and a
// truncated package.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Firmware } from '../../../src-main/api/contract';
import { Engine } from '../../../src-main/api/engine';
import { BOOT_PATHS, envBlock, parseEnvBlock, SLOT_TEMPLATE } from '../../../src-main/build/boot-loader';
import { ESP_OFFSET } from '../../../src-main/build/osdisk';
import { applianceKey } from '../../../src-main/build/updates/keys';
import { fileEntry, parseManifest, unpackPackage, writePackage } from '../../../src-main/build/updates/package';
import { debugfsCat, debugfsLs, debugfsPut } from '../../../src-main/tools/debugfs';
import { mcopyOut, mcopyTo, mtoolsImage } from '../../../src-main/tools/mtools';
import type { VirtualMachine as Machine } from '../../../src-main/vm/hypervisor';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { cli, makeAppliance } from './helpers';

interface Built {
  id: number;
  dir: string;
  full: string;
  /** The diff package against the build before it, when there is one. */
  diff?: string;
}

interface Disks {
  os: string;
  data: string;
}

const READY = /yoke: ready/;

export function defineSlotFaults(firmware: Firmware): void {
  let home: string;
  let engine: Engine;
  const builds: Record<string, Built> = {};
  const running: Machine[] = [];
  /** Crafted packages of 1.1.0, signed with the appliance's own key: what a bad release would ship. */
  const crafted: Record<string, string> = {};

  beforeAll(async () => {
    home = await makeTestHome(`yoke-slots-${firmware}-`);
    const dirs = {
      v1: makeAppliance(home, 'v1', '1.0.0'),
      v2: makeAppliance(home, 'v2', '1.1.0'),
      v3: makeAppliance(home, 'v3', '1.2.0'),
      other: makeAppliance(home, 'other', '1.2.0', (y) => y.replace('name: hello-web', 'name: other-web')),
      // A release that cannot be ready in time: it must commit within 2 s of its trial boot, and
      // committing takes the settle time (3 s) after ready, so its readiness timer always fires first.
      hang: makeAppliance(home, 'hang', '1.3.0', (y) => y.replace(/^upgrade:\n/m, 'upgrade:\n  ready-within: 2s\n')),
    };
    for (const [k, dir] of Object.entries(dirs)) {
      // v1's first build writes appliance.pub; the other hello-web versions share it, as released versions of one appliance do.
      if (k !== 'v1' && k !== 'other') fs.copyFileSync(path.join(dirs.v1, 'appliance.pub'), path.join(dir, 'appliance.pub'));
      const r = await cli(home, 'build', dir, '--json');
      if (r.code !== 0) throw new Error(r.err);
      const arts = r.json.build.artifacts as { path: string }[];
      builds[k] = { id: r.json.build.id, dir: path.dirname(arts.find((a) => a.path.endsWith('os.raw'))!.path), full: arts.find((a) => a.path.endsWith('.full.yup'))!.path, diff: arts.find((a) => a.path.endsWith('.diff.yup'))?.path };
    }
    const key = applianceKey(home, 'hello-web').privateKey;
    // 1.1.0 re-signed with one change each: a kernel that panics before init, and a kernel file that is not a kernel.
    const remake = async (name: string, change: (dir: string) => void) => {
      const dir = fs.mkdtempSync(path.join(home, `${name}-`));
      await unpackPackage(builds.v2.full, dir);
      change(dir);
      const m = parseManifest(fs.readFileSync(path.join(dir, 'manifest'), 'utf8'));
      const out = path.join(home, `${name}.yup`);
      await writePackage(out, { appliance: 'hello-web', version: '1.1.0', type: 'full', initrds: m.fields.initrd.split(' '), cmdline: m.fields.cmdline, files: m.files.map((f) => fileEntry(f.name, path.join(dir, f.name))) }, key, 1704067200);
      crafted[name] = out;
    };
    await remake('panic', (d) => {
      const t = path.join(d, SLOT_TEMPLATE);
      fs.writeFileSync(t, fs.readFileSync(t, 'utf8').replace(/ yoke\.slot=/g, ' rdinit=/no-such-init yoke.slot='));
    });
    await remake('garbage', (d) => fs.writeFileSync(path.join(d, 'vmlinuz'), Buffer.alloc(1 << 20, 0x5a)));
    engine = new Engine({ home, face: 'cli' });
  }, 300_000);

  afterAll(async () => {
    for (const m of running) await m.kill();
    await engine?.close();
    removeTestHomes();
  });

  /** Private copies of 1.0.0's disks, with a marker on the data disk written by debugfs (not by Yoke's update code). */
  async function disks(name: string, pkg?: string): Promise<Disks> {
    const dir = fs.mkdtempSync(path.join(home, `${name}-`));
    const d = { os: path.join(dir, 'os.raw'), data: path.join(dir, 'data.raw') };
    fs.copyFileSync(path.join(builds.v1.dir, 'os.raw'), d.os);
    fs.copyFileSync(path.join(builds.v1.dir, 'data.raw'), d.data);
    fs.chmodSync(d.os, 0o644);
    fs.chmodSync(d.data, 0o644);
    fs.writeFileSync(path.join(dir, 'marker'), 'keep-me\n');
    await debugfsPut(d.data, '/', [{ src: path.join(dir, 'marker'), name: 'marker' }]);
    if (pkg) await debugfsPut(d.data, '/updates', [{ src: pkg, name: path.basename(pkg) }]);
    return d;
  }

  /** A power-on from the disk's own boot loader (the build id only names the VM's memory and ports). */
  async function boot(d: Disks, o: { withoutData?: boolean } = {}): Promise<Machine> {
    const { machine } = await engine.machines.launch({ buildId: builds.v1.id, purpose: 'upgrade', osDisk: d.os, ...(o.withoutData ? { withoutDataDisk: true } : { dataDisk: d.data }), direct: false, firmware });
    running.push(machine);
    return machine;
  }

  /** Boots until ready (true) or until the guest reboots or powers off, which ends the VM (false). */
  async function readyOrEnd(m: Machine, timeoutMs = 150_000): Promise<boolean> {
    const ready = m.waitForConsoleText(READY, timeoutMs).then(() => true, () => false);
    return Promise.race([ready, m.exited.then(() => false)]);
  }

  const versionOf = (m: Machine) => /starting hello-web (\S+)/.exec(m.console.output)?.[1];

  /** Power-ons until one gets ready (at most `max`): the version it runs and its console. */
  async function untilReady(d: Disks, max = 6): Promise<{ version: string; m: Machine; consoles: string }> {
    let consoles = '';
    for (let n = 0; n < max; n++) {
      const m = await boot(d);
      const ok = await readyOrEnd(m);
      consoles += m.console.output;
      if (ok) return { version: versionOf(m)!, m, consoles };
      if (m.isRunning) await m.kill();
    }
    throw new Error(`neither version became ready in ${max} boots:\n${consoles.slice(-4000)}`);
  }

  async function dataIsIntact(d: Disks): Promise<void> {
    // e2fsck -n exits 0 only when the filesystem is clean; it never writes.
    execFileSync('e2fsck', ['-fn', d.data], { stdio: 'pipe' });
    expect(await debugfsCat(d.data, '/marker')).toBe('keep-me\n');
  }

  async function bootState(d: Disks): Promise<(Record<string, string> | null)[]> {
    const out: (Record<string, string> | null)[] = [];
    for (const dir of BOOT_PATHS.envDirs) {
      const f = path.join(path.dirname(d.os), 'grubenv');
      await mcopyOut(mtoolsImage(d.os, ESP_OFFSET), `${dir}/grubenv`, f);
      const lock = path.join(path.dirname(d.os), 'lock');
      await mcopyOut(mtoolsImage(d.os, ESP_OFFSET), `${dir}/lock`, lock);
      out.push(fs.readFileSync(lock, 'utf8') === '0' ? parseEnvBlock(fs.readFileSync(f)) : null);
    }
    return out;
  }

  /** The first boot installs the package into slot b and reboots (its VM ends). */
  async function applied(d: Disks): Promise<string> {
    const m = await boot(d);
    expect(await readyOrEnd(m), m.console.output.slice(-2000)).toBe(false);
    expect(m.console.output).toContain('yoke-update: applied hello-web');
    return m.console.output;
  }

  async function stop(m: Machine): Promise<void> {
    await m.stop({ graceMs: 15_000 });
  }

  /** After a rollback: 1.0.0 serves, said why on the console and in /data/updates/failed. */
  async function rolledBack(d: Disks, why: RegExp): Promise<void> {
    const r = await untilReady(d);
    expect(r.version, r.consoles.slice(-3000)).toBe('1.0.0');
    expect(r.consoles).toMatch(/yoke-update: rolled back from hello-web 1\.\d\.0 to 1\.0\.0: /);
    expect(/yoke-update: rolled back[^\r\n]*/.exec(r.consoles)![0]).toMatch(why);
    await stop(r.m);
    await dataIsIntact(d);
    const failed = (await debugfsLs(d.data, '/updates/failed')) ?? [];
    const reason = failed.find((f) => f.endsWith('.reason'));
    expect(reason, failed.join(' ')).toBeTruthy();
    expect(await debugfsCat(d.data, `/updates/failed/${reason}`)).toMatch(why);
    // Committed back: slot a, nothing on trial, both copies whole.
    expect(await bootState(d)).toEqual([expect.objectContaining({ yoke_good: 'a', yoke_trial: '', yoke_failed: '' }), expect.objectContaining({ yoke_good: 'a', yoke_trial: '' })]);
  }

  describe(`refused packages leave the boot loader alone (${firmware})`, () => {
    const refused = async (name: string, pkg: () => string, reason: RegExp) => {
      const d = await disks(name, pkg());
      const m = await boot(d);
      expect(await readyOrEnd(m), m.console.output.slice(-2000)).toBe(true);
      expect(/yoke-update: refused ([^\r\n]*)/.exec(m.console.output)?.[1]).toMatch(reason);
      expect(m.console.output).not.toContain('yoke-update: applied');
      await stop(m);
      await dataIsIntact(d);
      expect(await debugfsLs(d.data, '/updates/refused')).toContain(path.basename(pkg()));
      expect(await bootState(d)).toEqual([expect.objectContaining({ yoke_good: 'a', yoke_trial: '' }), expect.objectContaining({ yoke_good: 'a', yoke_trial: '' })]);
    };
    it('a tampered package', async () => {
      const pkg = path.join(home, 'hello-web-1.1.0.full.yup');
      const bytes = fs.readFileSync(builds.v2.full);
      bytes[bytes.length - 4096] ^= 0xff; // inside the last payload file
      fs.writeFileSync(pkg, bytes);
      await refused('tampered', () => pkg, /could not be installed/);
    }, 240_000);
    it("another appliance's package", async () => refused('foreign', () => builds.other.full, /bad signature/), 240_000);
    it('a truncated package (named fault: cut on the host)', async () => {
      const pkg = path.join(home, 'cut', 'hello-web-1.1.0.full.yup');
      fs.mkdirSync(path.dirname(pkg), { recursive: true });
      const bytes = fs.readFileSync(builds.v2.full);
      fs.writeFileSync(pkg, bytes.subarray(0, Math.floor(bytes.length / 2)));
      await refused('truncated', () => pkg, /could not be installed/);
    }, 240_000);
    it('a downgrade', async () => {
      // 1.0.0's package dropped on a 1.1.0 appliance: committed 1.1.0 first, then refused.
      const d = await disks('downgrade', builds.v2.full);
      await applied(d);
      const r = await untilReady(d);
      expect(r.version).toBe('1.1.0');
      await r.m.waitForConsoleText(/yoke-update: committed/, 60_000);
      await stop(r.m);
      await debugfsPut(d.data, '/updates', [{ src: builds.v1.full, name: path.basename(builds.v1.full) }]);
      const again = await untilReady(d);
      expect(again.version).toBe('1.1.0');
      expect(again.consoles).toMatch(/yoke-update: refused hello-web-1\.0\.0\.full\.yup: version 1\.0\.0 is not newer than the running 1\.1\.0/);
      await stop(again.m);
      await dataIsIntact(d);
    }, 300_000);
  });

  it(`a diff package (a delta against 1.0.0) rebuilds 1.1.0 from the running slot, boots it on trial and commits (${firmware})`, async () => {
    expect(path.basename(builds.v2.diff ?? '')).toBe('hello-web-1.0.0-b1-to-1.1.0.diff.yup');
    expect(fs.statSync(builds.v2.diff!).size).toBeLessThan(fs.statSync(builds.v2.full).size / 10);
    const d = await disks('diff', builds.v2.diff);
    const out = await applied(d);
    expect(out).toContain('from hello-web-1.0.0-b1-to-1.1.0.diff.yup into slot b');
    const r = await untilReady(d);
    expect(r.version).toBe('1.1.0');
    await r.m.waitForConsoleText(/yoke-update: committed hello-web 1\.1\.0 in slot b/, 60_000);
    await stop(r.m);
    await dataIsIntact(d);
    expect(await debugfsLs(d.data, '/updates/applied')).toContain('hello-web-1.0.0-b1-to-1.1.0.diff.yup');
    expect(await bootState(d)).toEqual([expect.objectContaining({ yoke_good: 'b', yoke_trial: '' }), expect.objectContaining({ yoke_good: 'b', yoke_trial: '' })]);
  }, 300_000);

  it(`a committed kernel damaged on the disk (named fault: overwritten on the host): GRUB starts the other slot, which takes over (${firmware})`, async () => {
    const d = await disks('damaged', builds.v2.full);
    await applied(d);
    const r = await untilReady(d);
    expect(r.version).toBe('1.1.0');
    await r.m.waitForConsoleText(/yoke-update: committed hello-web 1\.1\.0 in slot b/, 60_000);
    await stop(r.m);
    const junk = path.join(path.dirname(d.os), 'damaged', 'vmlinuz');
    fs.mkdirSync(path.dirname(junk));
    fs.writeFileSync(junk, Buffer.alloc(1 << 20, 0x5a));
    await mcopyTo(mtoolsImage(d.os, ESP_OFFSET), [junk], '/b');
    const after = await untilReady(d);
    expect(after.version).toBe('1.0.0');
    expect(after.consoles).toContain('yoke-update: the committed slot b did not start; slot a (hello-web 1.0.0) is the committed one now');
    await stop(after.m);
    await dataIsIntact(d);
    expect(await bootState(d)).toEqual([expect.objectContaining({ yoke_good: 'a', yoke_trial: '' }), expect.objectContaining({ yoke_good: 'a', yoke_trial: '' })]);
  }, 300_000);

  it(`a bundle brings 1.0.0 to 1.2.0 in one install: two diff steps applied one after the other (${firmware})`, async () => {
    const b = await cli(home, 'bundle', '--from', String(builds.v1.id), '--to', String(builds.v3.id), '--json');
    expect(b.code, b.err).toBe(0);
    expect(b.json.steps.map((x: { version: string; kind: string }) => `${x.version} ${x.kind}`)).toEqual(['1.1.0 diff', '1.2.0 diff']);
    expect(b.json.bytes).toBeLessThan(fs.statSync(builds.v3.full).size / 5);
    const d = await disks('bundle', b.json.path);
    const out = await applied(d);
    expect(out).toMatch(/bundle step 1: hello-web 1\.1\.0[\s\S]*bundle step 2: hello-web 1\.2\.0/);
    const r = await untilReady(d);
    expect(r.version).toBe('1.2.0');
    await r.m.waitForConsoleText(/yoke-update: committed hello-web 1\.2\.0/, 60_000);
    await stop(r.m);
    await dataIsIntact(d);
    expect(await debugfsLs(d.data, '/updates/applied')).toContain(path.basename(b.json.path));
  }, 300_000);

  describe(`a failed trial comes back to the old version by itself (${firmware})`, () => {
    it('a trial kernel that panics: three tries, then 1.0.0', async () => {
      const d = await disks('panic', crafted.panic);
      await applied(d);
      await rolledBack(d, /did not become ready in 3 boots/);
    }, 420_000);

    it('a kernel file that will not load: GRUB falls back at once', async () => {
      const d = await disks('garbage', crafted.garbage);
      await applied(d);
      await rolledBack(d, /could not start its kernel/);
    }, 300_000);

    it('a trial not ready within upgrade.ready-within: its readiness timer gives it up', async () => {
      const d = await disks('hang', builds.hang.full);
      await applied(d);
      const trial = await boot(d);
      await trial.exited;
      expect(trial.console.output).toMatch(/yoke-update: trial of hello-web 1\.3\.0 failed: not ready within 2 s/);
      await rolledBack(d, /not ready within 2 s/);
    }, 360_000);

    it('the data disk missing at the trial boot', async () => {
      const d = await disks('nodata', builds.v2.full);
      await applied(d);
      const trial = await boot(d, { withoutData: true });
      expect(await readyOrEnd(trial)).toBe(false);
      expect(trial.console.output).toMatch(/yoke-update: trial of hello-web 1\.1\.0 failed: LABEL=data is not mounted on \/data/);
      await rolledBack(d, /LABEL=data is not mounted on \/data/);
    }, 360_000);
  });

  describe(`power cuts and torn writes (${firmware})`, () => {
    it('a torn write of the boot state (named fault: made on the disk): GRUB reads the other copy', async () => {
      const d = await disks('torn', builds.v2.full);
      await applied(d);
      // Copy 1 half-written with its lock still set, as a power cut in the middle of its write leaves it.
      const dir = path.join(path.dirname(d.os), 'torn');
      fs.mkdirSync(dir);
      const block = envBlock({ yoke_good: 'b', yoke_trial: '', yoke_tries: '', yoke_failed: '' });
      block.fill(0, 512);
      fs.writeFileSync(path.join(dir, 'grubenv'), block);
      fs.writeFileSync(path.join(dir, 'lock'), '1');
      await mcopyTo(mtoolsImage(d.os, ESP_OFFSET), [path.join(dir, 'grubenv'), path.join(dir, 'lock')], BOOT_PATHS.envDirs[0]);
      const r = await untilReady(d);
      expect(r.version).toBe('1.1.0'); // the whole copy said: 1.1.0 on trial
      await r.m.waitForConsoleText(/yoke-update: committed hello-web 1\.1\.0/, 60_000);
      await stop(r.m);
      expect(await bootState(d)).toEqual([expect.objectContaining({ yoke_good: 'b', yoke_trial: '' }), expect.objectContaining({ yoke_good: 'b', yoke_trial: '' })]);
      await dataIsIntact(d);
    }, 300_000);

    const cut = async (name: string, when: RegExp, phase: 'apply' | 'trial') => {
      const d = await disks(name, builds.v2.full);
      if (phase === 'trial') await applied(d);
      const m = await boot(d);
      await m.waitForConsoleText(when, 150_000);
      await m.kill(); // the plug pulled
      const r = await untilReady(d);
      expect(['1.0.0', '1.1.0']).toContain(r.version);
      // Whatever runs now is committed or on its way to it; one more power-on still boots a version.
      await r.m.waitForConsoleText(/yoke-update: committed|yoke: ready/, 60_000);
      await stop(r.m);
      const after = await untilReady(d);
      expect(['1.0.0', '1.1.0']).toContain(after.version);
      await stop(after.m);
      await dataIsIntact(d);
      return { first: r.version, second: after.version };
    };
    it('while the new slot is written', async () => {
      await cut('cut-slot', /yoke-update: installing/, 'apply');
    }, 360_000);
    it('while the boot state is written', async () => {
      await cut('cut-state', /yoke-update: writing the boot state/, 'apply');
    }, 360_000);
    it('during the first trial boot', async () => {
      await cut('cut-trial', /yoke-update: trial boot/, 'trial');
    }, 360_000);
    it('while the trial settles before its commit', async () => {
      await cut('cut-commit', READY, 'trial');
    }, 360_000);
  });
}
