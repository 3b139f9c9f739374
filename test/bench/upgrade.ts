// For `npm run bench`: one upgrade test (two boots, seed, verify) against its floor, two boots of
// the same disks with nothing of Yoke's upgrade machinery: the VM driver boots OLD, writes the
// seed, powers off; boots NEW on the same data disk, reads it back, powers off. The package
// method (and its rollback) is timed against two disk boots through the disks' own boot loader
// to ready: OLD's OS disk, then NEW's, on one data disk, no updater at work.
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../src-main/api/engine';
import { startBuild } from '../../src-main/jobs/build-job';
import { bootFilesOf } from '../../src-main/jobs/build-files';
import { CONTROL_FLAG, MARKERS } from '../../src-main/build/init';
import { probeAccel } from '../../src-main/host/kvm-probe';
import { Machine } from '../../src-main/vm/machine';
import { startUpgradeTest } from '../../src-main/jobs/upgrade-test';

export interface UpgradeBench {
  upgradeMs: number;
  floorMs: number;
  ratio: number;
  status: string;
  /** Where the appliance ended (package method): NEW, or OLD again after a rollback. */
  after: { version: string; rolledBack: boolean } | null;
}

async function build(engine: Engine, dir: string): Promise<number> {
  const b = startBuild(engine, { dir });
  const o = await b.done;
  if (o.status !== 'succeeded') throw new Error(`bench build of ${dir} failed: ${o.error}`);
  return b.buildId;
}

async function floor(engine: Engine, oldId: number, newId: number, seed: string, verify: string): Promise<number> {
  const oldF = bootFilesOf(engine.store().getBuild(oldId)!);
  const newF = bootFilesOf(engine.store().getBuild(newId)!);
  const data = path.join(engine.home, 'tmp', `bench-data-${process.pid}.raw`);
  fs.mkdirSync(path.dirname(data), { recursive: true });
  fs.copyFileSync(oldF.dataDisk!, data);
  const accel = await probeAccel(engine.home);
  const boot = async (f: typeof oldF, cmd: string) => {
    const m = new Machine({ home: engine.home, accel, kernel: f.kernel, initrd: f.initrd, append: `${f.cmdline} ${CONTROL_FLAG}`, osDisk: { path: f.osDisk, format: 'raw', snapshot: true }, dataDisk: { path: data, format: 'raw' }, control: true });
    await m.start();
    try {
      await m.succeed(cmd, { timeoutMs: 60_000 });
      await m.stop({ graceMs: 30_000 });
    } finally {
      await m.kill();
    }
  };
  const t0 = performance.now();
  await boot(oldF, seed);
  await boot(newF, verify);
  const ms = performance.now() - t0;
  fs.rmSync(data, { force: true });
  return ms;
}

/** Two plain disk boots to ready (GRUB, kernel, init, services), OLD's OS disk then NEW's, one data disk. */
async function diskBootFloor(engine: Engine, oldId: number, newId: number): Promise<number> {
  const oldF = bootFilesOf(engine.store().getBuild(oldId)!);
  const newF = bootFilesOf(engine.store().getBuild(newId)!);
  const data = path.join(engine.home, 'tmp', `bench-data-${process.pid}.raw`);
  fs.mkdirSync(path.dirname(data), { recursive: true });
  fs.copyFileSync(oldF.dataDisk!, data);
  const accel = await probeAccel(engine.home);
  const boot = async (f: typeof oldF) => {
    const m = new Machine({ home: engine.home, accel, osDisk: { path: f.osDisk, format: 'raw', snapshot: true }, dataDisk: { path: data, format: 'raw' } });
    await m.start();
    try {
      await m.waitForConsoleText(new RegExp(MARKERS.ready), 180_000);
      await m.stop({ graceMs: 30_000 });
    } finally {
      await m.kill();
    }
  };
  const t0 = performance.now();
  await boot(oldF);
  await boot(newF);
  const ms = performance.now() - t0;
  fs.rmSync(data, { force: true });
  return ms;
}

/** Builds OLD and NEW (cached after the first run), then times an upgrade test and its floor. */
export async function upgradeBench(o: { home: string; oldDir: string; newDir: string; method?: 'swap' | 'package' }): Promise<UpgradeBench> {
  const engine = new Engine({ home: o.home, face: 'cli' });
  try {
    const oldId = await build(engine, o.oldDir);
    // Released versions of one appliance share its key: OLD's first build wrote appliance.pub.
    const pub = (d: string) => path.join(d, 'appliance.pub');
    if (!fs.existsSync(pub(o.newDir)) && fs.existsSync(pub(o.oldDir))) fs.copyFileSync(pub(o.oldDir), pub(o.newDir));
    const newId = await build(engine, o.newDir);
    const floorMs = o.method === 'package' ? await diskBootFloor(engine, oldId, newId) : await floor(engine, oldId, newId, 'echo keep-me > /data/marker', 'grep -q keep-me /data/marker');
    const t0 = performance.now();
    const t = startUpgradeTest(engine, { toBuildId: newId, from: String(oldId), method: o.method ?? 'swap' });
    const outcome = await t.done;
    const upgradeMs = performance.now() - t0;
    const runId = outcome.runIds?.[0];
    const run = runId === undefined ? null : engine.store().getTestRun(runId);
    return { upgradeMs, floorMs, ratio: upgradeMs / floorMs, status: run?.status ?? 'none', after: run?.after ?? null };
  } finally {
    await engine.close();
  }
}
