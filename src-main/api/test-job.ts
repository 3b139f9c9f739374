// `yoke test` and the UI's Test button: boot a build with a fresh data disk, run its checks,
// keep results, console log and a screenshot with the build, power off.
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from './engine';
import type { CheckResult, Req, Res } from './contract';
import { EngineError } from './errors';
import { requireSpec } from './spec-gate';
import { buildWithin, upToDateBuild } from './build-job';
import { launchBuildVm, type LiveVm } from './vm-service';
import type { JobHandle, JobOutcome } from './jobs';
import { runChecks } from '../checks/run-checks';
import { waitUntilReady } from '../vm/ready';
import { clean } from '../vm/console';

/** How long a test VM may take to boot before its checks run (TCG on a busy machine is slow). */
const BOOT_TIMEOUT_MS = 180_000;

export interface TestOptions {
  dir?: string;
  buildId?: number;
  /** Leave the VM running after the checks (the caller stops it). */
  keepRunning?: boolean;
  onVm?(live: LiveVm): void;
}

export interface TestRunReport {
  buildId: number;
  runId: number;
  checks: CheckResult[];
  consoleLog: string;
  screenshot: string | null;
}

/** The build to test: the given one, else the newest build of DIR if nothing changed since, else a new build. */
async function buildToTest(engine: Engine, o: TestOptions, job: JobHandle): Promise<number> {
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

export async function runTest(engine: Engine, o: TestOptions, job: JobHandle): Promise<TestRunReport> {
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
    job.progress('boot', 0, `booting build #${buildId}`);
    live = await launchBuildVm(engine, { buildId, purpose: 'test', log: (level, text) => job.log(level, text) });
    o.onVm?.(live);
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
    const lineOf = new Map(live.spec.checks.map((c) => [c.name, c.line]));
    for (const c of live.spec.checks) engine.emit('test.check', { jobId: job.id, name: c.name, kind: c.kind, state: 'waiting', elapsedMs: 0, line: c.line });
    job.progress('boot', 0.5, 'waiting for the control channel');
    const ready = await waitUntilReady(vm, BOOT_TIMEOUT_MS, job.signal);
    if (job.signal.aborted) throw new EngineError('failed', 'cancelled');
    if (ready.ok) job.log('info', `VM ready in ${(ready.ms / 1000).toFixed(2)} s`);
    else job.log('error', `VM never became ready: ${ready.reason}`);
    const results = !ready.ok
      ? live.spec.checks.map((c): CheckResult => ({ name: c.name, kind: c.kind, status: 'failed', message: `not run: ${ready.reason}`, durationMs: 0 }))
      : await runChecks(vm, live.spec.checks, {
      services: live.spec.services,
      signal: job.signal,
      onCheck: (s) => {
        if (s.status === 'running') {
          engine.emit('test.check', {
            jobId: job.id, name: s.name, kind: s.kind, state: 'waiting', elapsedMs: s.elapsedMs ?? 0, line: lineOf.get(s.name),
            ...(s.lastSeen ? { lastSeen: s.lastSeen } : {}),
          });
          return;
        }
        checks.push(s);
        job.progress('checks', checks.length / Math.max(1, total), `${checks.length}/${total}`);
        job.log(s.status === 'passed' ? 'info' : 'error', `check ${s.name}: ${s.status} — ${s.message}`);
        engine.emit('test.check', { jobId: job.id, name: s.name, kind: s.kind, state: s.status, elapsedMs: s.durationMs, message: s.message, line: lineOf.get(s.name) });
      },
    });
    stopConsole();
    if (!ready.ok) for (const r of results) engine.emit('test.check', { jobId: job.id, name: r.name, kind: r.kind, state: 'failed', elapsedMs: 0, message: r.message });
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
    return { buildId, runId, checks: results, consoleLog, screenshot };
  } catch (e) {
    if (live) {
      await live.machine.kill();
      fs.writeFileSync(consoleLog, live.machine.console.output);
    }
    store.finishTestRun(runId, { status: job.signal.aborted ? 'cancelled' : 'failed', consoleLog: live ? consoleLog : null });
    throw e;
  }
}

export function startTest(engine: Engine, o: TestOptions): { jobId: string; done: Promise<JobOutcome>; report: Promise<TestRunReport> } {
  let resolveReport!: (r: TestRunReport) => void;
  let rejectReport!: (e: unknown) => void;
  const report = new Promise<TestRunReport>((res, rej) => ((resolveReport = res), (rejectReport = rej)));
  report.catch(() => undefined);
  const title = o.buildId !== undefined ? `Test build #${o.buildId}` : `Test ${path.basename(path.resolve(o.dir ?? '.'))}`;
  const { jobId, done } = engine.jobs.start('test', title, async (job) => {
    try {
      const r = await runTest(engine, o, job);
      resolveReport(r);
      const failed = r.checks.filter((c) => c.status === 'failed');
      return { buildId: r.buildId, ...(failed.length ? { failed: `${failed.length} of ${r.checks.length} checks failed: ${failed.map((c) => c.name).join(', ')}` } : {}) };
    } catch (e) {
      rejectReport(e);
      throw e;
    }
  });
  return { jobId, done, report };
}

export function startTestJob(engine: Engine, req: Req<'test.start'>): Res<'test.start'> {
  if (req.buildId === undefined && !req.dir) throw new EngineError('invalid-request', 'test.start needs a dir or a buildId');
  if (req.dir) requireSpec(req.dir); // spec errors answer the request instead of failing a job
  return { jobId: startTest(engine, { dir: req.dir, buildId: req.buildId }).jobId };
}
