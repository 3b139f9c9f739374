// `yoke upgrade-test`: proves a NEW build upgrades OLD ones. For each OLD build: boot it with a
// fresh data disk, run its checks, run NEW's upgrade.seed in it, power off cleanly; then keep
// OLD's data disk and either boot NEW's OS with it (swap) or drop NEW's full update package onto
// it and boot OLD again so its updater installs NEW and reboots (package); then NEW's checks and
// upgrade.verify. Every result carries the phase it ran in.
import fs from 'node:fs';
import path from 'node:path';
import type { JobContext } from './context';
import type { CheckResult, Firmware, UpgradeAfter, UpgradeMethod } from '../api/contract';
import { EngineError } from '../api/errors';
import { requireSpec } from '../spec/require';
import { buildWithin } from './build-job';
import { bootFilesOf, specOfBuild } from './build-files';
import type { JobHandle, JobOutcome } from './jobs';
import { runChecks } from '../checks/run-checks';
import { cpSparse } from '../tools/cp';
import { hashInputs } from '../build/cache';
import { importDataDisk } from '../build/data-import';
import { debugfsFreeBytes, debugfsPut } from '../tools/debugfs';
import type { BuildRecord } from '../store/store';
import type { VirtualMachine as Machine } from '../vm/hypervisor';
import type { ApplianceSpec } from '../spec/types';
import { resolveFrom } from './releases';
import { cleanPowerOff, runGuestCommands, stepResult, type UpgradePhase } from './guest-steps';
import { GUEST_PATHS, UPDATES_DIR_ON_DATA, UPDATE_MARKERS } from '../build/updates/updater-script';
import { TRIAL_TRIES } from '../build/boot-loader';
import { addControlFlag } from '../vm/exported-disks';
import { fullPackageOf, mediumOf } from '../build/updates/package-files';

import { selectVariants, type HardwareVariant } from '../vm/hardware';
export type { UpgradeMethod } from '../api/contract';

export interface UpgradeTestOptions {
  /** The appliance folder; NEW is built from it unless toBuildId is given. */
  dir?: string;
  toBuildId?: number;
  /** A version, a build number or "released". */
  from: string;
  method?: UpgradeMethod;
  /** Keep each pair's data disk after a passed pair too (it is always kept after a failure). */
  keepDataDisk?: boolean;
  /** OLD boots on a converted copy of this customer data disk instead of its own fresh one. */
  dataFrom?: string;
  /** Only the pairs of this shard (every `of`-th, starting at `index`, 1-based). */
  shard?: { index: number; of: number };
  /** Boot both halves on this hardware variant, from each build's exported disks (swap only). */
  hardware?: string;
  /** Boot every VM of the test with this firmware (default bios). */
  firmware?: Firmware;
}

export interface BuildRef {
  id: number;
  version: string;
}

export interface UpgradePairReport {
  from: BuildRef;
  to: BuildRef;
  method: UpgradeMethod;
  runId: number;
  status: 'passed' | 'failed';
  /** Where the appliance ended: NEW, or OLD again (an update that failed, rolled back by the appliance); null if neither booted. */
  after: UpgradeAfter | null;
  checks: CheckResult[];
  consoleLogs: { old: string; new: string };
  /** Wall time of the pair: both boots, seed, verify. */
  durationMs: number;
}

export interface UpgradeReport {
  to: BuildRef;
  pairs: UpgradePairReport[];
}


interface PairContext {
  engine: JobContext;
  job: JobHandle;
  oldBuild: BuildRecord;
  newBuild: BuildRecord;
  newSpec: ApplianceSpec;
  method: UpgradeMethod;
  hardware?: HardwareVariant;
  /** The firmware every boot of the pair starts with (bios unless asked). */
  firmware?: Firmware;
  runDir: string;
  record(r: CheckResult): void;
  /** Progress within this pair (0..1), shown as the whole job's figure. */
  progress(phase: string, fraction: number, message: string): void;
}

async function checksIn(p: PairContext, vm: Machine, spec: ApplianceSpec, phase: UpgradePhase): Promise<void> {
  await runChecks(vm, spec.checks, { services: spec.services, signal: p.job.signal, phase, onCheck: (s) => s.status !== 'waiting' && p.record(s as CheckResult) });
}

function saveConsole(file: string, ...parts: string[]): void {
  fs.writeFileSync(file, parts.filter((x) => x).join('\n----- yoke: the VM rebooted -----\n'));
}

/** Boot OLD on the pair's data disk, its checks, the seed commands, a clean power-off. */
async function oldHalf(p: PairContext, data: string, oldLog: string): Promise<void> {
  const live = await p.engine.machines.launch({ buildId: p.oldBuild.id, purpose: 'upgrade', dataDisk: data, hardware: p.hardware, firmware: p.firmware, log: (l, t) => p.job.log(l, t) });
  const vm = live.machine;
  try {
    p.progress('old', 0.1, `build #${p.oldBuild.id} ${p.oldBuild.version}: checks`);
    await checksIn(p, vm, live.spec, 'old');
    p.progress('seed', 0.3, `seeding ${p.newSpec.upgrade.seed.length} commands`);
    await runGuestCommands(vm, p.newSpec.upgrade.seed, 'seed', p.record);
    p.record(await cleanPowerOff(vm, 'seed'));
  } finally {
    if (vm.isRunning) await vm.kill();
    saveConsole(oldLog, vm.console.output);
  }
}

/** Swap: NEW's OS with OLD's data disk, as a test boot. */
async function swapHalf(p: PairContext, data: string, newLog: string): Promise<UpgradeAfter> {
  const live = await p.engine.machines.launch({ buildId: p.newBuild.id, purpose: 'upgrade', dataDisk: data, hardware: p.hardware, firmware: p.firmware, log: (l, t) => p.job.log(l, t) });
  await newChecks(p, live.machine, newLog);
  return { version: p.newBuild.version, rolledBack: false };
}

async function newChecks(p: PairContext, vm: Machine, newLog: string, prior: string[] = []): Promise<void> {
  try {
    p.progress('upgraded', 0.7, `build #${p.newBuild.id} ${p.newBuild.version}: checks`);
    await checksIn(p, vm, p.newSpec, 'upgraded');
    p.progress('verify', 0.9, `verifying with ${p.newSpec.upgrade.verify.length} commands`);
    await runGuestCommands(vm, p.newSpec.upgrade.verify, 'verify', p.record);
    await vm.stop({ graceMs: 10_000 });
  } finally {
    if (vm.isRunning) await vm.kill();
    saveConsole(newLog, ...prior, vm.console.output);
  }
}

/** The version the appliance says it runs (its /etc/yoke/release, over the control channel). */
async function runningVersion(vm: Machine): Promise<string | null> {
  try {
    await vm.waitForControl(30_000);
    const x = await vm.execute(`cat ${GUEST_PATHS.release}`, { timeoutMs: 15_000 });
    return x.exitCode === 0 ? (x.stdout.trim().split(/\s+/)[1] ?? null) : null;
  } catch {
    return null;
  }
}

/** Until the console matches `re` (its match) or the VM ends (null). */
async function consoleOrExit(vm: Machine, re: RegExp, timeoutMs: number): Promise<RegExpExecArray | null> {
  const seen = vm.waitForConsoleText(re, timeoutMs).catch(() => null);
  return Promise.race([seen, vm.exited.then(() => null)]);
}

/** The rest of a marker's line on a console, for a step's message. */
function markerLine(out: string, marker: string): string | undefined {
  return new RegExp(`${marker}[^\\r\\n]*`).exec(out)?.[0];
}

/**
 * Package: NEW's full update package goes into /data/updates on OLD's data disk (written into the
 * image with debugfs, no mount); OLD boots from a writable copy of its OS disk and its updater
 * installs the package into the other slot and reboots (qemu runs with -no-reboot, so each
 * reboot ends the VM and the next boot is started here, from the disk, as a power-on would).
 * Then the disk's boot loader decides: NEW on trial, which commits once ready, or, when the trial
 * fails (panics, never gets ready, cannot mount its data), OLD again by itself. Either outcome is
 * recorded: NEW's checks in phase `upgraded`, or OLD's checks in phase `rolledback`.
 */
async function packageHalf(p: PairContext, data: string, oldLog: string, newLog: string): Promise<UpgradeAfter | null> {
  const pkg = fullPackageOf(p.engine.store().getBuild(p.newBuild.id)!);
  const os = path.join(p.runDir, 'os.raw');
  await cpSparse(bootFilesOf(p.engine.store().getBuild(p.oldBuild.id)!).osDisk, os, { signal: p.job.signal });
  // Disk boots of this private copy carry the control flag (GRUB adds it when /yoke/control exists).
  await addControlFlag(os, p.job.signal);
  const started = Date.now();
  // A package larger than the data disk's free room (a Debian base's root image is tens of MB)
  // comes on NEW's update medium instead, as it would to a customer: attached to every boot.
  const free = await debugfsFreeBytes(data, { signal: p.job.signal });
  const size = fs.statSync(pkg).size;
  const medium = size + MEDIUM_MARGIN > free ? mediumOf(p.engine.store().getBuild(p.newBuild.id)!) : undefined;
  if (medium) p.job.log('info', `${path.basename(pkg)} (${mb(size)}) does not fit on the data disk (${mb(free)} free): it comes on the update medium ${path.basename(medium)}`);
  else await debugfsPut(data, UPDATES_DIR_ON_DATA, [{ src: pkg, name: path.basename(pkg) }], { signal: p.job.signal });
  p.progress('apply', 0.5, `build #${p.oldBuild.id} applies ${path.basename(pkg)}${medium ? ' from the update medium' : ''}`);
  const boot = (buildId: number) => p.engine.machines.launch({ buildId, purpose: 'upgrade', osDisk: os, dataDisk: data, ...(medium ? { medium } : {}), direct: false, firmware: p.firmware, log: (l, t) => p.job.log(l, t) });
  const first = await boot(p.oldBuild.id);
  const before = fs.existsSync(oldLog) ? fs.readFileSync(oldLog, 'utf8') : '';
  let applied: CheckResult;
  try {
    // A refusal is final: the appliance goes on running OLD, so there is no reboot to wait for.
    // Its whole line is waited for (it is the reason); a VM that ends first is the other outcome.
    const refusal = first.machine.waitForConsoleText(new RegExp(`${UPDATE_MARKERS.refused}[^\\r\\n]*[\\r\\n]`), 180_000).then(
      () => false,
      () => new Promise<false>(() => {}),
    );
    const rebooted = await Promise.race([first.machine.exited.then(() => true), refusal, new Promise<false>((r) => setTimeout(() => r(false), 180_000))]);
    const out = first.machine.console.output;
    const refused = markerLine(out, UPDATE_MARKERS.refused);
    const ok = rebooted && out.includes(UPDATE_MARKERS.applied);
    applied = stepResult('apply update package', 'update', 'upgraded', started, ok,
      ok ? `${path.basename(pkg)} installed into the other slot by the updater${medium ? ' from the update medium' : ''}; rebooting on trial` : refused ? `the updater refused the package: ${refused}` : rebooted ? 'the VM stopped before the updater said it applied the package' : 'the updater did not apply the package and reboot within 180 s');
  } finally {
    if (first.machine.isRunning) await first.machine.stop({ graceMs: 10_000 });
    saveConsole(oldLog, before, first.machine.console.output);
  }
  p.record(applied);
  if (applied.status === 'failed') {
    fs.writeFileSync(newLog, '');
    return { version: p.oldBuild.version, rolledBack: false };
  }
  const logs: string[] = [];
  const oldSpec = specOfBuild(p.engine.store().getBuild(p.oldBuild.id)!);
  const newer = p.newSpec.upgrade;
  // Each trial boot may end in a reboot (a panic, a trial that gives up), and GRUB tries it TRIAL_TRIES times.
  let commitFailed = false;
  for (let n = 0; n < TRIAL_TRIES + 2; n++) {
    const trialStart = Date.now();
    const live = await boot(p.newBuild.id);
    const vm = live.machine;
    try {
      const ready = await consoleOrExit(vm, /yoke: ready/, (newer.readyWithinS + 60) * 1000);
      if (!ready) {
        p.job.log('info', `boot ${n + 1} after the update ended before ready (a panic or a trial giving up): booting again, as a power-on would`);
        continue;
      }
      const version = await runningVersion(vm);
      if (version === p.newBuild.version) {
        p.progress('upgraded', 0.7, `${p.newBuild.version} on trial: waiting for it to commit`);
        const committed = await consoleOrExit(vm, new RegExp(UPDATE_MARKERS.committed), (newer.settleS + 60) * 1000);
        const out = vm.console.output;
        if (!committed) {
          p.record(stepResult('commit update', 'update', 'upgraded', trialStart, false, markerLine(out, UPDATE_MARKERS.trialFailed) ?? `${p.newBuild.version} did not commit (the VM ${vm.isRunning ? 'is still running' : 'rebooted'})`));
          commitFailed = true;
          continue;
        }
        p.record(stepResult('commit update', 'update', 'upgraded', trialStart, true, `${p.newBuild.version} committed itself: every fstab entry mounted, every service up for ${newer.settleS} s${newer.commitChecks ? ', its own checks passing inside it' : ''}`));
        await newChecks(p, vm, newLog, [...logs]);
        return { version: p.newBuild.version, rolledBack: false };
      }
      if (version === p.oldBuild.version) {
        const why = markerLine(vm.console.output, UPDATE_MARKERS.rolledBack);
        // The update did not take: a failure of the upgrade, whatever the rollback saves.
        if (!commitFailed) {
          p.record(stepResult('update on trial', 'update', 'upgraded', trialStart, false, why ?? `the appliance came back on ${p.oldBuild.version}`));
        }
        p.record(stepResult('roll back', 'update', 'rolledback', trialStart, Boolean(why), why ?? `the appliance runs ${p.oldBuild.version} again but did not say it rolled back`));
        p.progress('rolledback', 0.8, `rolled back to ${p.oldBuild.version}: its checks again`);
        await checksIn(p, vm, oldSpec, 'rolledback');
        await vm.stop({ graceMs: 10_000 });
        return { version: p.oldBuild.version, rolledBack: true };
      }
      p.record(stepResult('boot after update', 'update', 'upgraded', trialStart, false, `the appliance runs ${version ?? 'an unknown version'}, neither ${p.oldBuild.version} nor ${p.newBuild.version}`));
      return null;
    } finally {
      if (vm.isRunning) await vm.kill();
      logs.push(vm.console.output);
      saveConsole(newLog, ...logs);
    }
  }
  p.record(stepResult('boot after update', 'update', 'upgraded', started, false, `neither ${p.oldBuild.version} nor ${p.newBuild.version} became ready in ${TRIAL_TRIES + 2} boots`));
  return null;
}

/** Room left on the data disk beside a dropped package (the updater's records, the appliance's own writes). */
const MEDIUM_MARGIN = 4 * 1024 * 1024;
const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;

/** Seeded OLD data disks kept for the next candidate: a matrix costs N + N·M boots, not 2·N·M. */
const SEEDED_KEPT = 16;

function seededEntry(home: string, oldBuild: BuildRecord, newSpec: ApplianceSpec, dataFrom?: string): string {
  const data = dataFrom ? (() => {
    const st = fs.statSync(dataFrom);
    return `${path.resolve(dataFrom)}:${st.size}:${st.mtimeMs}`;
  })() : null;
  const key = hashInputs({ old: oldBuild.id, inputs: oldBuild.inputsHash, seed: newSpec.upgrade.seed, data });
  return path.join(home, 'cache', 'seeded', key.slice(0, 32));
}

function readSeeded(dir: string): { runId: number; checks: CheckResult[] } | null {
  try {
    if (!fs.existsSync(path.join(dir, 'data.raw'))) return null;
    return JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as { runId: number; checks: CheckResult[] };
  } catch {
    return null;
  }
}

async function keepSeeded(dir: string, data: string, oldLog: string, runId: number, checks: CheckResult[], signal: AbortSignal): Promise<void> {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, '.partial-'));
  try {
    await cpSparse(data, path.join(tmp, 'data.raw'), { signal });
    fs.copyFileSync(oldLog, path.join(tmp, 'old-console.log'));
    fs.writeFileSync(path.join(tmp, 'result.json'), JSON.stringify({ runId, checks }));
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const entries = fs.readdirSync(parent).filter((n) => !n.startsWith('.')).map((n) => ({ p: path.join(parent, n), t: fs.statSync(path.join(parent, n)).mtimeMs }));
  for (const e of entries.sort((a, b) => b.t - a.t).slice(SEEDED_KEPT)) fs.rmSync(e.p, { recursive: true, force: true });
}

async function runPair(engine: JobContext, job: JobHandle, oldBuild: BuildRecord, newBuild: BuildRecord, newSpec: ApplianceSpec, method: UpgradeMethod, keep: boolean, pair: { index: number; of: number; start: number; span: number }, dataFrom?: string, hardware?: HardwareVariant, firmware?: Firmware): Promise<UpgradePairReport> {
  const store = engine.store();
  const started = Date.now();
  const runId = store.createTestRun({ buildId: newBuild.id, kind: 'upgrade', fromBuildId: oldBuild.id, method });
  const runDir = path.join(engine.home, 'runs', String(runId));
  fs.mkdirSync(runDir, { recursive: true });
  const consoleLogs = { old: path.join(runDir, 'old-console.log'), new: path.join(runDir, 'new-console.log') };
  const checks: CheckResult[] = [];
  const record = (r: CheckResult) => {
    checks.push(r);
    store.addCheckResult(runId, r);
    job.log(r.status === 'passed' ? 'info' : 'error', `[${r.phase}] ${r.name}: ${r.status} — ${r.message}`);
    engine.emit('test.check', { jobId: job.id, runId, ...r });
  };
  const progress = (phase: string, f: number, message: string) => job.progress(phase, pair.start + (pair.span * (pair.index + f)) / pair.of, message);
  const p: PairContext = { engine, job, oldBuild, newBuild, newSpec, method, hardware, firmware, runDir, record, progress };
  engine.emit('upgrade.pair', { jobId: job.id, runId, fromBuildId: oldBuild.id, toBuildId: newBuild.id, method, index: pair.index, of: pair.of });
  const data = path.join(runDir, 'data.raw');
  job.log('info', `upgrade #${oldBuild.id} ${oldBuild.version} -> #${newBuild.id} ${newBuild.version} (${method}), run ${runId}`);
  let status: 'passed' | 'failed' = 'failed';
  let after: UpgradeAfter | null = null;
  try {
    const oldFiles = bootFilesOf(store.getBuild(oldBuild.id)!);
    if (!oldFiles.dataDisk) throw new EngineError('failed', `build #${oldBuild.id} has no data disk; an upgrade test keeps OLD's data disk, so disks.data must be set.`);
    const seeded = seededEntry(engine.home, oldBuild, newSpec, dataFrom);
    const prior = readSeeded(seeded);
    if (prior) {
      // OLD was booted, checked and seeded with these commands before: start from that disk.
      await cpSparse(path.join(seeded, 'data.raw'), data, { signal: job.signal });
      fs.copyFileSync(path.join(seeded, 'old-console.log'), consoleLogs.old);
      for (const c of prior.checks) record({ ...c, message: `${c.message} (booted and seeded once, in run #${prior.runId}; this disk reused)` });
      fs.utimesSync(seeded, new Date(), new Date());
    } else {
      if (dataFrom) {
        const oldSpec = specOfBuild(store.getBuild(oldBuild.id)!);
        const imported = await importDataDisk(dataFrom, data, { label: oldSpec.disks.data?.label ?? 'data', sizeBytes: oldSpec.disks.data?.sizeBytes ?? 64 * 1048576, signal: job.signal });
        job.log('info', `data disk: a copy of ${dataFrom} (${imported.format})`);
      } else await cpSparse(oldFiles.dataDisk, data, { signal: job.signal });
      await oldHalf(p, data, consoleLogs.old);
      if (checks.length && checks.every((c) => c.status === 'passed')) await keepSeeded(seeded, data, consoleLogs.old, runId, checks, job.signal);
    }
    after = method === 'swap' ? await swapHalf(p, data, consoleLogs.new) : await packageHalf(p, data, consoleLogs.old, consoleLogs.new);
    status = checks.length > 0 && checks.every((c) => c.status === 'passed') ? 'passed' : 'failed';
  } catch (e) {
    if (job.signal.aborted) {
      store.finishTestRun(runId, { status: 'cancelled', consoleLog: consoleLogs.new });
      throw e;
    }
    record(stepResult('upgrade test', 'error', checks.some((c) => c.phase === 'upgraded' || c.phase === 'verify') ? 'upgraded' : 'old', started, false, (e as Error).message));
  }
  for (const f of [consoleLogs.old, consoleLogs.new]) if (!fs.existsSync(f)) fs.writeFileSync(f, '');
  store.finishTestRun(runId, { status, consoleLog: consoleLogs.new, ...(after ? { after } : {}) });
  // A failed pair keeps its disks for a look inside; a passed one frees them.
  if (status === 'passed' && !keep) for (const f of ['data.raw', 'os.raw']) fs.rmSync(path.join(runDir, f), { force: true });
  return { from: { id: oldBuild.id, version: oldBuild.version }, to: { id: newBuild.id, version: newBuild.version }, method, runId, status, after, checks, consoleLogs, durationMs: Date.now() - started };
}

/**
 * `--hardware` for an upgrade test: one variant (a family means its first, e.g. vmware-ide). Swap
 * only: the package method's updater rewrites a private OS disk across both boots, which the
 * exported-disk boot would replace.
 */
export function upgradeHardware(choice: string | undefined, method: UpgradeMethod): HardwareVariant | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'all') throw new EngineError('invalid-request', '--hardware all is for yoke test; an upgrade test takes one hardware variant or family.');
  let v: HardwareVariant;
  try {
    v = selectVariants(choice, [])[0];
  } catch (e) {
    throw new EngineError('invalid-request', (e as Error).message);
  }
  if (method !== 'swap') throw new EngineError('invalid-request', `--hardware needs --method swap (the package method's updater writes the OS disk the hardware boot takes from the exports).`);
  return v;
}

export async function runUpgradeTest(engine: JobContext, o: UpgradeTestOptions, job: JobHandle): Promise<UpgradeReport> {
  const method = o.method ?? 'swap';
  const hardware = upgradeHardware(o.hardware, method);
  const store = engine.store();
  let appliance: string;
  if (o.toBuildId !== undefined) {
    const b = store.getBuildRecord(o.toBuildId);
    if (!b) throw new EngineError('invalid-request', `--to ${o.toBuildId}: there is no build #${o.toBuildId}.`);
    appliance = b.appliance;
  } else appliance = requireSpec(o.dir ?? '.').name;
  // OLD builds are named before NEW is built, so a wrong --from costs no build.
  const olds = resolveFrom(store, appliance, o.from, o.toBuildId);
  if (o.toBuildId === undefined) job.log('info', 'building the NEW version');
  // Building NEW (when it has to be built) is the first fifth of the job; the pairs share the rest.
  const start = o.toBuildId === undefined ? 0.2 : 0;
  const toId = o.toBuildId ?? (await buildWithin(engine, path.resolve(o.dir ?? '.'), job, 'building the NEW version', start));
  job.setBuildId(toId);
  const newBuild = store.getBuildRecord(toId)!;
  if (newBuild.status !== 'succeeded') throw new EngineError('invalid-request', `--to ${toId}: build #${toId} ${newBuild.status}; only a succeeded build can be upgraded to.`);
  const newSpec = specOfBuild(store.getBuild(toId)!);
  const pairs: UpgradePairReport[] = [];
  const all = olds.filter((b) => b.id !== toId);
  const todo = o.shard ? all.filter((_, i) => i % o.shard!.of === o.shard!.index - 1) : all;
  if (o.shard) job.log('info', `shard ${o.shard.index}/${o.shard.of}: ${todo.length} of ${all.length} pairs (${todo.map((b) => `#${b.id}`).join(', ') || 'none'})`);
  for (const [index, old] of todo.entries()) {
    pairs.push(await runPair(engine, job, old, newBuild, newSpec, method, !!o.keepDataDisk, { index, of: todo.length, start, span: 1 - start }, o.dataFrom, hardware, o.firmware));
  }
  return { to: { id: newBuild.id, version: newBuild.version }, pairs };
}

export function startUpgradeTest(engine: JobContext, o: UpgradeTestOptions): { jobId: string; done: Promise<JobOutcome> } {
  return engine.jobs.start('upgrade', `Upgrade test from ${o.from}`, async (job) => {
    const r = await runUpgradeTest(engine, o, job);
    const failed = r.pairs.filter((x) => x.status === 'failed');
    return {
      buildId: r.to.id,
      runIds: r.pairs.map((p) => p.runId),
      ...(failed.length ? { failed: failed.map((f) => `#${f.from.id} ${f.from.version}: ${f.checks.filter((c) => c.status === 'failed').map((c) => c.name).join(', ')}`).join('; ') } : {}),
    };
  });
}
