// A Debian-base appliance (resources/sample/notes-web: nginx + SQLite) updated by its own updater:
// the root filesystem goes to the other slot's root partition (root-a / root-b), the slot entry
// names its UUID, and the same trial, commit and rollback as the busybox base decide. Real
// mmdebstrap builds, real qemu, under BIOS and UEFI. The sample's 64 MB data disk cannot hold a
// full package (~60 MB: kernel, initramfs and a 44 MB root image), so full packages come on the
// build's update medium, as an offline customer would attach it; a diff package is a few KB.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Firmware } from '../../../src-main/api/contract';
import { Engine } from '../../../src-main/api/engine';
import { parseManifest, unpackPackage } from '../../../src-main/build/updates/package';
import { debugfsCat, debugfsLs, debugfsPut } from '../../../src-main/tools/debugfs';
import type { VirtualMachine as Machine } from '../../../src-main/vm/hypervisor';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { debianSample } from '../debian/debian-harness';
import { cli } from './helpers';

const MIN = 60_000;

interface Built {
  id: number;
  dir: string;
  full: string;
  diff?: string;
  medium: string;
}

describe('update packages for a Debian base (root partitions a/b)', () => {
  let home: string;
  let engine: Engine;
  const builds: Record<string, Built> = {};
  const running: Machine[] = [];

  beforeAll(async () => {
    home = await makeTestHome('yoke-debian-update-');
    const v1 = debianSample();
    // Built in this order: each build's diff package is made against the build before it.
    const dirs: Record<string, string> = {
      v1,
      // 2.0.0 and 2.1.0: a changed page (the root image differs by one file, its version and its UUID).
      v2: debianSample((y) => y.replace(/^version: .*$/m, 'version: 2.0.0')),
      v21: debianSample((y) => y.replace(/^version: .*$/m, 'version: 2.1.0')),
      // 3.0.0 looks for its data disk by a new label: on a customer's appliance it cannot mount /data.
      v3: debianSample((y) => y.replace(/^version: .*$/m, 'version: 3.0.0').replace('label: data', 'label: appdata')),
      // 4.0.0 carries 40 MB more than 1.0.0's root slot has room for (its own OS disk is larger).
      big: debianSample((y) => y.replace(/^version: .*$/m, 'version: 4.0.0').replace(/os: +\{ size: \d+M \}/, 'os: { size: 320M }')),
    };
    for (const [k, text] of [['v2', 'Notes 2'], ['v21', 'Notes 2.1']]) {
      const page = path.join(dirs[k], 'rootfs', 'usr', 'local', 'bin', 'notes-page');
      fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace('<h1>Notes</h1>', `<h1>${text}</h1>`));
    }
    fs.writeFileSync(path.join(dirs.big, 'rootfs', 'usr', 'local', 'blob'), crypto.randomBytes(40 * 1024 * 1024));
    for (const [k, dir] of Object.entries(dirs)) {
      // v1's first build writes appliance.pub: the later versions of one appliance share its key.
      if (k !== 'v1') fs.copyFileSync(path.join(dirs.v1, 'appliance.pub'), path.join(dir, 'appliance.pub'));
      const r = await cli(home, 'build', dir, '--json');
      if (r.code !== 0) throw new Error(r.err);
      const arts = r.json.build.artifacts as { path: string }[];
      const find = (end: string) => arts.find((a) => a.path.endsWith(end))?.path;
      builds[k] = { id: r.json.build.id, dir: path.dirname(find('os.raw')!), full: find('.full.yup')!, diff: find('.diff.yup'), medium: find('.update.raw')! };
    }
    engine = new Engine({ home, face: 'cli' });
  }, 30 * MIN);

  afterAll(async () => {
    for (const m of running) await m.kill();
    await engine?.close();
    removeTestHomes();
  });

  /** Private copies of 1.0.0's disks with a marker on the data disk (written by debugfs, not by Yoke's update code). */
  async function disks(name: string, pkg?: string): Promise<{ os: string; data: string }> {
    const dir = fs.mkdtempSync(path.join(home, `${name}-`));
    const d = { os: path.join(dir, 'os.raw'), data: path.join(dir, 'data.raw') };
    for (const f of ['os.raw', 'data.raw'] as const) {
      fs.copyFileSync(path.join(builds.v1.dir, f), path.join(dir, f));
      fs.chmodSync(path.join(dir, f), 0o644);
    }
    fs.writeFileSync(path.join(dir, 'marker'), 'keep-me\n');
    await debugfsPut(d.data, '/', [{ src: path.join(dir, 'marker'), name: 'marker' }]);
    if (pkg) await debugfsPut(d.data, '/updates', [{ src: pkg, name: path.basename(pkg) }]);
    return d;
  }

  /** A power-on from the disk's own boot loader. */
  async function boot(d: { os: string; data: string }, firmware: Firmware, medium?: string): Promise<Machine> {
    const { machine } = await engine.machines.launch({ buildId: builds.v1.id, purpose: 'upgrade', osDisk: d.os, dataDisk: d.data, ...(medium ? { medium } : {}), direct: false, firmware });
    running.push(machine);
    return machine;
  }

  /** Power-ons until one gets ready (each reboot of the guest ends its VM): the version it runs. */
  async function untilReady(d: { os: string; data: string }, firmware: Firmware, medium?: string, max = 5): Promise<{ version: string; m: Machine; consoles: string }> {
    let consoles = '';
    for (let n = 0; n < max; n++) {
      const m = await boot(d, firmware, medium);
      const ok = await Promise.race([m.waitForConsoleText(/yoke: ready/, 240_000).then(() => true, () => false), m.exited.then(() => false)]);
      consoles += m.console.output;
      if (ok) return { version: /starting notes-web (\S+)/.exec(m.console.output)![1], m, consoles };
      if (m.isRunning) await m.kill();
    }
    throw new Error(`neither version became ready in ${max} boots:\n${consoles.slice(-4000)}`);
  }

  async function dataIsIntact(data: string): Promise<void> {
    execFileSync('e2fsck', ['-fn', data], { stdio: 'pipe' });
    expect(await debugfsCat(data, '/marker')).toBe('keep-me\n');
  }

  it('packages carry the root image: the full one whole, the diff one as a patch of a few KB', async () => {
    const dir = fs.mkdtempSync(path.join(home, 'unpacked-'));
    await unpackPackage(builds.v2.full, dir);
    const full = parseManifest(fs.readFileSync(path.join(dir, 'manifest'), 'utf8'));
    expect(full.files.map((f) => `${f.kind} ${f.name}`)).toEqual(['file vmlinuz', 'file base.zst', 'file slot.cfg.in', 'root rootfs.erofs']);
    expect(full.files[3].size).toBe(fs.statSync(path.join(dir, 'rootfs.erofs')).size);
    // The slot entry boots the new root by its own UUID, which the erofs superblock carries at byte 1072.
    const uuid = fs.readFileSync(path.join(dir, 'rootfs.erofs')).subarray(1072, 1088).toString('hex');
    expect(fs.readFileSync(path.join(dir, 'slot.cfg.in'), 'utf8').replace(/-/g, '')).toContain(`yoke.root=${uuid}`);
    expect(builds.v2.diff).toBeDefined();
    const d2 = fs.mkdtempSync(path.join(home, 'unpacked-diff-'));
    await unpackPackage(builds.v2.diff!, d2);
    const diff = parseManifest(fs.readFileSync(path.join(d2, 'manifest'), 'utf8'));
    expect(diff.files.find((f) => f.name === 'rootfs.erofs')).toMatchObject({ kind: 'rootpatch', size: full.files[3].size });
    expect(fs.statSync(builds.v2.diff!).size).toBeLessThan(1024 * 1024);
  });

  it('takes a full package (on the update medium) into root-b, boots it on trial and commits it; the data is kept (BIOS)', async () => {
    const r = await cli(home, 'upgrade-test', '--from', String(builds.v1.id), '--to', String(builds.v2.id), '--method', 'package', '--firmware', 'bios', '--json');
    const pair = r.json?.pairs?.[0];
    const logs = pair ? `${fs.readFileSync(pair.consoleLogs.old, 'utf8').slice(-3000)}\n${fs.readFileSync(pair.consoleLogs.new, 'utf8').slice(-3000)}` : r.err;
    expect(r.code, logs).toBe(0);
    expect(pair).toMatchObject({ status: 'passed', after: { version: '2.0.0', rolledBack: false } });
    expect([...new Set(pair.checks.map((c: { phase: string }) => c.phase))]).toEqual(['old', 'seed', 'upgraded', 'verify']);
    expect(pair.checks.find((c: { name: string }) => c.name === 'apply update package').message).toContain('from the update medium');
    const old = fs.readFileSync(pair.consoleLogs.old, 'utf8');
    expect(old).toMatch(/yoke-update: writing the root filesystem to \/dev\/\w+/);
    expect(fs.readFileSync(pair.consoleLogs.new, 'utf8')).toContain('yoke-update: committed notes-web 2.0.0 in slot b');
    // NEW serves its own page: the changed file came from the new root image.
    const http = pair.checks.find((c: { phase: string; name: string }) => c.phase === 'upgraded' && c.name === 'http :80/');
    expect(http.status).toBe('passed');
  }, 15 * MIN);

  it('applies a diff package in the VM: the root image is patched from the running one (UEFI)', async () => {
    const d = await disks('diff', builds.v2.diff);
    const first = await boot(d, 'uefi');
    await first.exited;
    expect(first.console.output).toContain('yoke-update: writing the root filesystem to');
    expect(first.console.output).toContain('(patched from the running one)');
    const after = await untilReady(d, 'uefi');
    expect(after.version).toBe('2.0.0');
    await after.m.waitForConsoleText(/yoke-update: committed notes-web 2\.0\.0 in slot b/, 60_000);
    await after.m.stop({ graceMs: 15_000 });
    await dataIsIntact(d.data);
    expect(await debugfsLs(d.data, '/updates/applied')).toEqual([path.basename(builds.v2.diff!)]);
  }, 15 * MIN);

  it('a power cut while the root partition is written leaves 1.0.0 booting; the install runs again and 2.0.0 commits (BIOS)', async () => {
    const d = await disks('cut');
    const m = await boot(d, 'bios', builds.v2.medium);
    await m.waitForConsoleText(/yoke-update: writing the root filesystem/, 240_000);
    await m.kill();
    const next = await untilReady(d, 'bios', builds.v2.medium);
    // The interrupted install is started over from the medium; the trial then commits.
    expect(next.consoles).toContain('yoke-update: installing notes-web 2.0.0 from notes-web-2.0.0.full.yup into slot b');
    expect(next.version).toBe('2.0.0');
    await next.m.waitForConsoleText(/yoke-update: committed notes-web 2\.0\.0 in slot b/, 60_000);
    await next.m.stop({ graceMs: 15_000 });
    await dataIsIntact(d.data);
  }, 15 * MIN);

  it('a bundle brings 1.0.0 to 2.1.0 in one install: two root patches, each from the root the step before wrote (BIOS)', async () => {
    const b = await cli(home, 'bundle', '--from', String(builds.v1.id), '--to', String(builds.v21.id), '--json');
    expect(b.code, b.err).toBe(0);
    expect(b.json.steps.map((x: { version: string; kind: string }) => `${x.version} ${x.kind}`)).toEqual(['2.0.0 diff', '2.1.0 diff']);
    const d = await disks('bundle', b.json.path);
    const first = await boot(d, 'bios');
    await first.exited;
    const out = first.console.output;
    expect(out).toMatch(/bundle step 1: notes-web 2\.0\.0[\s\S]*patched from the running one[\s\S]*bundle step 2: notes-web 2\.1\.0[\s\S]*patched from the step before/);
    const after = await untilReady(d, 'bios');
    expect(after.version).toBe('2.1.0');
    await after.m.waitForConsoleText(/yoke-update: committed notes-web 2\.1\.0 in slot b/, 60_000);
    await after.m.stop({ graceMs: 15_000 });
    await dataIsIntact(d.data);
  }, 15 * MIN);

  it('a version whose root image outgrows the root slot is refused with both sizes; 1.0.0 keeps running', async () => {
    const r = await cli(home, 'upgrade-test', '--from', String(builds.v1.id), '--to', String(builds.big.id), '--method', 'package', '--json');
    const pair = r.json?.pairs?.[0];
    expect(r.code, r.err).toBe(1);
    const apply = pair.checks.find((c: { name: string }) => c.name === 'apply update package');
    expect(apply.status).toBe('failed');
    expect(apply.message).toMatch(/refused notes-web-4\.0\.0\.full\.yup: its root filesystem \(\d+ bytes\) is larger than this appliance's root-b partition \(\d+ bytes\); replace its OS disk instead/);
    // Said at once, not after the 180 s an apply may take.
    expect(apply.durationMs).toBeLessThan(120_000);
  }, 15 * MIN);

  it('a version that cannot mount its data disk rolls itself back to 1.0.0, still serving with its data (UEFI)', async () => {
    const r = await cli(home, 'upgrade-test', '--from', String(builds.v1.id), '--to', String(builds.v3.id), '--method', 'package', '--firmware', 'uefi', '--json');
    const pair = r.json?.pairs?.[0];
    const logs = pair ? `${fs.readFileSync(pair.consoleLogs.old, 'utf8').slice(-2000)}\n${fs.readFileSync(pair.consoleLogs.new, 'utf8').slice(-4000)}` : r.err;
    expect(r.code, logs).toBe(1);
    expect(pair, logs).toMatchObject({ method: 'package', status: 'failed', after: { version: '1.0.0', rolledBack: true } });
    expect([...new Set(pair.checks.map((c: { phase: string }) => c.phase))]).toEqual(['old', 'seed', 'upgraded', 'rolledback']);
    const back = pair.checks.filter((c: { phase: string }) => c.phase === 'rolledback');
    expect(back.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['roll back', 'http :80/', 'mount /data', 'sqlite answers']));
    expect(back.every((c: { status: string }) => c.status === 'passed'), JSON.stringify(back)).toBe(true);
    const data = path.join(home, 'runs', String(pair.runId), 'data.raw');
    // The package came on the medium: the reason is kept under the version's name.
    expect(await debugfsCat(data, '/updates/failed/notes-web-3.0.0.reason')).toBe('LABEL=appdata is not mounted on /data\n');
    execFileSync('e2fsck', ['-fn', data], { stdio: 'pipe' });
  }, 15 * MIN);
});
