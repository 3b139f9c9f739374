// `yoke test` and the UI's Test button: boot a build with a fresh data disk, run its checks,
// keep results, console log and a screenshot with the build, power off.
import fs from 'node:fs';
import path from 'node:path';
import type { JobContext } from './context';
import type { CheckResult, Req, Res } from '../api/contract';
import { EngineError } from '../api/errors';
import { requireSpec } from '../spec/require';
import { buildWithin, upToDateBuild } from './build-job';
import type { LiveVm } from './machines';
import type { JobHandle, JobOutcome } from './jobs';
import { runChecks } from '../checks/run-checks';
import { waitUntilReady } from '../vm/ready';
import { clean } from '../vm/console';
import { selectVariants, type HardwareVariant } from '../vm/hardware';
import type { Firmware } from '../api/contract';
import { specOfBuild } from './build-files';

/** How long a test VM may take to boot before its checks run (TCG on a busy machine is slow). */
const BOOT_TIMEOUT_MS = 180_000;

export interface TestOptions {
  dir?: string;
  buildId?: number;
  /** Leave the VM running after the checks (the caller stops it). */
  keepRunning?: boolean;
  /** A customer's data disk to test on (a converted copy). */
  dataFrom?: string;
  /** `--hardware`: a variant (virtualbox-sata), a family (vmware) or "all" declared by the build's spec. */
  hardware?: string;
  /** The one variant this run boots on (set per run when `hardware` is given). */
  variant?: HardwareVariant;
  /** bios (default) or uefi (OVMF). */
  firmware?: Firmware;
}

export interface TestRunReport {
  buildId: number;
  runId: number;
  checks: CheckResult[];
  consoleLog: string;
  screenshot: string | null;
  vmId: string | null;
}

/** The build to test: the given one, else the newest build of DIR if nothing changed since, else a new build. */
async function buildToTest(engine: JobContext, o: TestOptions, job: JobHandle): Promise<number> {
  if (o.buildId !== undefined) {
    if (!engine.store().getBuildRecord(o.buildId)) throw new EngineError('not-found', `no build #${o.buildId}`);
    return o.buildId;
  }
  const spec = requireSpec(o.dir ?? '.');
  const current = upToDateBuild(engine, spec);
  if (current !== null) {
    job.log('info', `testing build #${current} (nothing changed in ${spec.dir} since it was built)`);
    return current;
  }
  job.log('info', `building ${spec.name} ${spec.version} first`);
  return buildWithin(engine, spec.dir, job);
}

export async function runTest(engine: JobContext, o: TestOptions, job: JobHandle): Promise<TestRunReport> {
  const buildId = await buildToTest(engine, o, job);
  job.setBuildId(buildId);
  const store = engine.store();
  const runId = store.createTestRun({ buildId, kind: 'test' });
  const runDir = path.join(engine.home, 'runs', String(runId));
  fs.mkdirSync(runDir, { recursive: true });
  let live: LiveVm | undefined;
  const checks: CheckResult[] = [];
  let screenshot: string | null = null;
  const consoleLog = path.join(runDir, 'console.log');
  try {
    job.progress('boot', 0.5, `booting build #${buildId}`);
    live = await engine.machines.launch({ buildId, purpose: 'test', dataFrom: o.dataFrom, hardware: o.variant, firmware: o.firmware, log: (level, text) => job.log(level, text) });
    const vm = live.machine;
    job.log('info', `VM ${vm.vmid} (${vm.vmInfo?.accel ?? 'tcg'}) forwards ${vm.forwards.map((f) => `127.0.0.1:${f.host}->${f.guest}`).join(', ') || 'nothing'}`);
    // The console arrives in arbitrary chunks (often a character at a time): log whole lines.
    let partial = '';
    const stopConsole = vm.console.onData((text) => {
      const lines = (partial + text).split(/\r?\n/);
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) job.log('debug', `console: ${clean(line)}`);
    });
    const total = live.spec.checks.length;
    const waiting = (c: { name: string; kind: string; line?: number }, message = 'waiting for the VM to boot') =>
      engine.emit('test.check', { jobId: job.id, runId, name: c.name, kind: c.kind, status: 'waiting', message, durationMs: 0, ...(c.line ? { line: c.line } : {}) });
    for (const c of live.spec.checks) waiting(c);
    job.progress('boot', 0.6, 'waiting for the control channel');
    const ready = await waitUntilReady(vm, BOOT_TIMEOUT_MS, job.signal);
    if (job.signal.aborted) throw new EngineError('failed', 'cancelled');
    if (ready.ok) job.log('info', `VM ready in ${(ready.ms / 1000).toFixed(2)} s`);
    else job.log('error', `VM never became ready: ${ready.reason}`);
    job.progress('checks', 0.7, 'running the checks');
    const results = !ready.ok
      ? live.spec.checks.map((c): CheckResult => ({ name: c.name, kind: c.kind, status: 'failed', message: `not run: ${ready.reason}`, durationMs: 0, ...(c.line ? { line: c.line } : {}) }))
      : await runChecks(vm, live.spec.checks, {
      services: live.spec.services,
      signal: job.signal,
      onCheck: (s) => {
        if (s.status === 'waiting') {
          engine.emit('test.check', { jobId: job.id, runId, ...s });
          return;
        }
        checks.push(s as CheckResult);
        job.progress('checks', 0.7 + 0.3 * (checks.length / Math.max(1, total)), `${checks.length}/${total}`);
        job.log(s.status === 'passed' ? 'info' : 'error', `check ${s.name}: ${s.status} — ${s.message}`);
        engine.emit('test.check', { jobId: job.id, runId, ...s });
      },
    });
    stopConsole();
    if (!ready.ok) for (const r of results) engine.emit('test.check', { jobId: job.id, runId, ...r });
    for (const r of results) store.addCheckResult(runId, r);
    if (vm.isRunning) {
      screenshot = path.join(runDir, 'screenshot.png');
      await vm.screenshot(screenshot).catch((e) => {
        job.log('warn', `no screenshot: ${(e as Error).message}`);
        screenshot = null;
      });
    }
    const failed = results.filter((r) => r.status === 'failed');
    if (!o.keepRunning) {
      job.progress('power-off', 1);
      const how = await vm.stop({ graceMs: 10_000 });
      job.log('info', `VM stopped (${how})`);
    }
    fs.writeFileSync(consoleLog, vm.console.output);
    store.finishTestRun(runId, { status: failed.length ? 'failed' : 'passed', consoleLog, screenshot });
    return { buildId, runId, checks: results, consoleLog, screenshot, vmId: vm.vmid };
  } catch (e) {
    if (live) {
      await live.machine.kill();
      fs.writeFileSync(consoleLog, live.machine.console.output);
    }
    store.finishTestRun(runId, { status: job.signal.aborted ? 'cancelled' : 'failed', consoleLog: live ? consoleLog : null });
    throw e;
  }
}

export function startTest(engine: JobContext, o: TestOptions): { jobId: string; done: Promise<JobOutcome> } {
  const title = `${o.buildId !== undefined ? `Test build #${o.buildId}` : `Test ${path.basename(path.resolve(o.dir ?? '.'))}`}${o.hardware ? ` on ${o.hardware}` : ''}`;
  return engine.jobs.start('test', title, async (job) => {
    // One run per hardware variant, all on the same build (built at most once).
    let variants: (HardwareVariant | undefined)[] = [undefined];
    let buildId = o.buildId;
    if (o.hardware) {
      buildId = await buildToTest(engine, o, job);
      const spec = specOfBuild(engine.store().getBuild(buildId)!);
      variants = selectVariants(o.hardware, spec.vm.hardware ?? ['virtio']);
      job.log('info', `hardware: ${variants.map((v) => v!.name).join(', ')}`);
    }
    const reports: { variant?: HardwareVariant; r: TestRunReport }[] = [];
    for (const variant of variants) reports.push({ variant, r: await runTest(engine, { ...o, buildId, variant }, job) });
    const failed = reports.flatMap(({ variant, r }) => r.checks.filter((c) => c.status === 'failed').map((c) => (variant ? `${c.name} (${variant.name})` : c.name)));
    const total = reports.reduce((n, { r }) => n + r.checks.length, 0);
    const last = reports[reports.length - 1].r;
    return {
      buildId: last.buildId,
      runIds: reports.map(({ r }) => r.runId),
      ...(o.hardware ? { hardware: reports.map(({ variant }) => variant!.name) } : {}),
      ...(o.keepRunning && last.vmId ? { vmId: last.vmId } : {}),
      ...(failed.length ? { failed: `${failed.length} of ${total} checks failed: ${failed.join(', ')}` } : {}),
    };
  });
}

export function startTestJob(engine: JobContext, req: Req<'test.start'>): Res<'test.start'> {
  if (req.buildId === undefined && !req.dir) throw new EngineError('invalid-request', 'test.start needs a dir or a buildId');
  if (req.dir) requireSpec(req.dir); // spec errors answer the request instead of failing a job
  if (req.data && !fs.existsSync(req.data)) throw new EngineError('invalid-request', `--data ${req.data}: no such file.`);
  if (req.hardware !== undefined) {
    try {
      selectVariants(req.hardware, ['virtio']);
    } catch (e) {
      throw new EngineError('invalid-request', (e as Error).message);
    }
  }
  return { jobId: startTest(engine, { dir: req.dir, buildId: req.buildId, keepRunning: req.keepRunning, dataFrom: req.data, hardware: req.hardware, firmware: req.firmware }).jobId };
}
