// Bad packages and faults inside the appliance: whatever happens, it boots the old or the new OS,
// never neither, and the data on /data stays intact.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import { debugfsCat, debugfsLs, debugfsPut } from '../../../src-main/tools/debugfs';
import type { VirtualMachine as Machine } from '../../../src-main/vm/hypervisor';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { cli, makeAppliance } from './helpers';

let home: string;
let engine: Engine;
const builds: Record<string, { id: number; dir: string; full: string }> = {};
const running: Machine[] = [];

beforeAll(async () => {
  home = await makeTestHome('yoke-upgrade-faults-');
  const dirs = {
    v1: makeAppliance(home, 'v1', '1.0.0'),
    v2: makeAppliance(home, 'v2', '1.1.0'),
    other: makeAppliance(home, 'other', '1.2.0', (y) => y.replace('name: hello-web', 'name: other-web')),
  };
  for (const [k, dir] of Object.entries(dirs)) {
    const r = await cli(home, 'build', dir, '--json');
    if (r.code !== 0) throw new Error(r.err);
    const arts = r.json.build.artifacts as { path: string }[];
    builds[k] = { id: r.json.build.id, dir: path.dirname(arts.find((a) => a.path.endsWith('os.raw'))!.path), full: arts.find((a) => a.path.endsWith('.full.yup'))!.path };
  }
  engine = new Engine({ home, face: 'cli' });
}, 180_000);

afterAll(async () => {
  for (const m of running) await m.kill();
  await engine?.close();
  removeTestHomes();
});

/** Private copies of a build's disks, with a marker on the data disk (written by debugfs, not by Yoke's upgrade code). */
async function disks(build: string, name: string): Promise<{ os: string; data: string }> {
  const dir = fs.mkdtempSync(path.join(home, `${name}-`));
  const os = path.join(dir, 'os.raw');
  const data = path.join(dir, 'data.raw');
  fs.copyFileSync(path.join(builds[build].dir, 'os.raw'), os);
  fs.copyFileSync(path.join(builds[build].dir, 'data.raw'), data);
  fs.writeFileSync(path.join(dir, 'marker'), 'keep-me\n');
  await debugfsPut(data, '/', [{ src: path.join(dir, 'marker'), name: 'marker' }]);
  return { os, data };
}

async function boot(build: string, d: { os: string; data: string }, direct: boolean): Promise<Machine> {
  const { machine } = await engine.machines.launch({ buildId: builds[build].id, purpose: 'upgrade', osDisk: d.os, dataDisk: d.data, direct });
  running.push(machine);
  return machine;
}

/** Boots until the appliance is ready (true) or the VM ends, as the updater's reboot does (false). */
async function readyOrReboot(m: Machine): Promise<boolean> {
  const t0 = Date.now();
  const ready = m.waitForConsoleText(/yoke: ready/, 120_000).then(() => true, () => false);
  const r = await Promise.race([ready, m.exited.then(() => false)]);
  console.log(`[measure] boot ${r ? 'to ready' : 'to reboot'}: ${Date.now() - t0} ms`);
  return r;
}

async function stop(m: Machine): Promise<void> {
  await m.stop({ graceMs: 15_000 });
}

async function refusedWith(build: string, pkg: string, name: string, reason: RegExp): Promise<void> {
  const d = await disks(build, name);
  await debugfsPut(d.data, '/updates', [{ src: pkg, name: path.basename(pkg) }]);
  const m = await boot(build, d, true);
  expect(await readyOrReboot(m), m.console.output.slice(-2000)).toBe(true);
  expect(m.console.output).toMatch(/yoke-update: refused [^\n]*/);
  expect(/yoke-update: refused ([^\n]*)/.exec(m.console.output)![1]).toMatch(reason);
  expect(m.console.output).not.toContain('yoke-update: applied');
  await stop(m);
  expect(await debugfsCat(d.data, '/marker')).toBe('keep-me\n');
  expect(await debugfsLs(d.data, '/updates/refused')).toContain(path.basename(pkg));
  // The boot loader was not touched: a boot from the disk itself starts the same version.
  const again = await boot(build, d, false);
  expect(await readyOrReboot(again)).toBe(true);
  expect(again.console.output).toContain(`starting hello-web ${build === 'v1' ? '1.0.0' : '1.1.0'}`);
  await stop(again);
}

describe('the appliance updater refuses bad packages and keeps booting the old OS', () => {
  it('refuses a tampered package', async () => {
    const pkg = path.join(home, 'hello-web-1.1.0.full.yup');
    const bytes = fs.readFileSync(builds.v2.full);
    bytes[bytes.length - 4096] ^= 0xff; // inside the last payload file
    fs.writeFileSync(pkg, bytes);
    await refusedWith('v1', pkg, 'tampered', /could not be installed/);
  }, 180_000);

  it("refuses another appliance's package (signed with another key)", async () => {
    await refusedWith('v1', builds.other.full, 'other', /bad signature/);
  }, 180_000);

  it('refuses a downgrade', async () => {
    await refusedWith('v2', builds.v1.full, 'downgrade', /version 1.0.0 is not newer than the running 1.1.0/);
  }, 180_000);
});

describe('faults during an update', () => {
  it('falls back to the previous OS when the new one is killed before it is ready', async () => {
    const d = await disks('v1', 'fallback');
    await debugfsPut(d.data, '/updates', [{ src: builds.v2.full, name: path.basename(builds.v2.full) }]);
    const apply = await boot('v1', d, true);
    expect(await readyOrReboot(apply)).toBe(false);
    expect(apply.console.output).toContain('yoke-update: applied hello-web 1.1.0');
    const trial = await boot('v1', d, false);
    await trial.waitForConsoleText(/yoke-update: trial boot/, 120_000);
    await trial.kill(); // pulled plug during the new OS's first boot
    const after = await boot('v1', d, false);
    expect(await readyOrReboot(after)).toBe(true);
    expect(after.console.output).toContain('starting hello-web 1.0.0');
    await stop(after);
    expect(await debugfsCat(d.data, '/marker')).toBe('keep-me\n');
  }, 240_000);

  it('boots the old or the new OS after qemu is killed while the updater writes', async () => {
    const d = await disks('v1', 'powercut');
    await debugfsPut(d.data, '/updates', [{ src: builds.v2.full, name: path.basename(builds.v2.full) }]);
    const apply = await boot('v1', d, true);
    await apply.waitForConsoleText(/yoke-update: installing/, 120_000);
    await apply.kill();
    expect(apply.console.output).not.toContain('yoke-update: applied');
    // Boot from the disk until the appliance is ready; the updater may finish the job first.
    let version = '';
    for (let n = 0; n < 3 && !version; n++) {
      const m = await boot('v1', d, false);
      if (await readyOrReboot(m)) {
        version = /starting hello-web (\S+)/.exec(m.console.output)![1];
        await stop(m);
      }
    }
    expect(['1.0.0', '1.1.0']).toContain(version);
    expect(await debugfsCat(d.data, '/marker')).toBe('keep-me\n');
  }, 300_000);
});
