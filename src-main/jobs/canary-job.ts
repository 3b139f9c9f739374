// `yoke canary`: the released version and the candidate side by side, each on its own copy of the
// same data disk (fresh and seeded with NEW's upgrade.seed, or a customer's), the requests real
// users made replayed against both, and the candidate held when it behaves differently.
import fs from 'node:fs';
import path from 'node:path';
import type { CanaryReport, Req } from '../api/contract';
import { EngineError } from '../api/errors';
import { importDataDisk } from '../build/data-import';
import { DEFAULT_IGNORE, newErrors, why, type Answer } from '../checks/canary/compare';
import { replay } from '../checks/canary/replay';
import { readRequests, RequestsFileError, type ReplayRequest } from '../checks/canary/requests';
import { requireSpec } from '../spec/require';
import type { ApplianceSpec } from '../spec/types';
import { cpSparse } from '../tools/cp';
import { waitUntilReady } from '../vm/ready';
import { bootFilesOf, specOfBuild } from './build-files';
import { buildWithin } from './build-job';
import type { JobContext } from './context';
import { runGuestCommands } from './guest-steps';
import type { JobHandle, JobOutcome } from './jobs';
import type { LiveVm } from './machines';
import { resolveFrom } from './releases';

export function canaryDir(home: string, jobId: string): string {
  return path.join(home, 'canaries', jobId);
}

export function readCanaryReport(home: string, jobId: string): CanaryReport {
  try {
    return JSON.parse(fs.readFileSync(path.join(canaryDir(home, jobId), 'report.json'), 'utf8')) as CanaryReport;
  } catch {
    throw new EngineError('not-found', `There is no canary report for job ${jobId} (it failed before replaying, or is still running).`);
  }
}

function label(r: ReplayRequest): string {
  return `${r.method} ${r.target} (${r.host ? 'entry' : 'line'} ${r.at})`;
}

/** Which guest port each request goes to, or why it is skipped (another host, a port not forwarded). */
export function route(requests: ReplayRequest[], forwards: number[]): { req: ReplayRequest; port: number | null; why?: string }[] {
  const appliance = requests.find((r) => r.port !== undefined && forwards.includes(r.port))?.host;
  const fallback = forwards.includes(80) ? 80 : forwards[0];
  return requests.map((req) => {
    if (req.port === undefined) return fallback === undefined ? { req, port: null, why: 'the appliance forwards no port (network.forward)' } : { req, port: fallback };
    if (!forwards.includes(req.port)) return { req, port: null, why: `port ${req.port} is not forwarded (network.forward)` };
    if (req.host !== appliance) return { req, port: null, why: `sent to another host (${req.host}, not ${appliance})` };
    return { req, port: req.port };
  });
}

interface Side {
  live: LiveVm;
  spec: ApplianceSpec;
  consoleAt: number;
}

async function bootSide(ctx: JobContext, job: JobHandle, buildId: number, data: string): Promise<Side> {
  const live = await ctx.machines.launch({ buildId, purpose: 'test', dataDisk: data, log: (l, t) => job.log(l, t) });
  return { live, spec: live.spec, consoleAt: 0 };
}

export function startCanary(ctx: JobContext, req: Req<'canary.start'>): { jobId: string; done: Promise<JobOutcome> } {
  const store = ctx.store();
  if (req.toBuildId === undefined && req.dir === undefined) throw new EngineError('invalid-request', 'canary.start needs a dir (NEW is built from it) or a toBuildId');
  let requests: ReplayRequest[];
  try {
    requests = readRequests(req.requests);
  } catch (e) {
    if (e instanceof RequestsFileError) throw new EngineError('invalid-request', e.message);
    throw e;
  }
  const ignore = (req.ignore ?? []).map((s) => {
    try {
      return new RegExp(s, 'g');
    } catch (e) {
      throw new EngineError('invalid-request', `--ignore ${JSON.stringify(s)}: not a regular expression (${(e as Error).message}).`);
    }
  });
  if (req.data && !fs.existsSync(req.data)) throw new EngineError('invalid-request', `--data ${req.data}: no such file.`);
  const appliance = req.toBuildId !== undefined ? store.getBuildRecord(req.toBuildId)?.appliance : requireSpec(req.dir!).name;
  if (!appliance) throw new EngineError('invalid-request', `--to ${req.toBuildId}: there is no build #${req.toBuildId}.`);
  // One OLD build: "released" means the newest released one, the version customers run.
  const olds = resolveFrom(store, appliance, req.from, req.toBuildId);
  const oldBuild = olds[olds.length - 1];
  return ctx.jobs.start('canary', `Canary ${appliance} from ${req.from}`, async (job) => {
    const toId = req.toBuildId ?? (await buildWithin(ctx, path.resolve(req.dir!), job, 'building the NEW version', 0.3));
    job.setBuildId(toId);
    const newBuild = store.getBuildRecord(toId)!;
    if (newBuild.status !== 'succeeded') throw new EngineError('failed', `build #${toId} ${newBuild.status}; a canary needs a succeeded NEW build.`);
    if (newBuild.id === oldBuild.id) throw new EngineError('failed', `OLD and NEW are both build #${toId}: nothing to compare.`);
    const dir = canaryDir(ctx.home, job.id);
    fs.mkdirSync(dir, { recursive: true });
    const newSpec = specOfBuild(store.getBuild(toId)!);
    const oldSpec = specOfBuild(store.getBuild(oldBuild.id)!);
    const disks = { old: path.join(dir, 'old-data.raw'), new: path.join(dir, 'new-data.raw') };
    const sides: Side[] = [];
    try {
      job.progress('data', 0.35, req.data ? `copying ${req.data}` : 'fresh data disks');
      if (req.data) await importDataDisk(req.data, disks.old, { label: oldSpec.disks.data?.label ?? 'data', sizeBytes: oldSpec.disks.data?.sizeBytes ?? 64 * 1048576, signal: job.signal });
      else {
        const fresh = bootFilesOf(store.getBuild(oldBuild.id)!).dataDisk;
        if (!fresh) throw new EngineError('failed', `build #${oldBuild.id} has no data disk; give one with --data.`);
        await cpSparse(fresh, disks.old, { signal: job.signal });
      }
      await cpSparse(disks.old, disks.new, { signal: job.signal });
      job.progress('boot', 0.4, `booting #${oldBuild.id} ${oldBuild.version} and #${toId} ${newBuild.version} side by side`);
      sides.push(await bootSide(ctx, job, oldBuild.id, disks.old), await bootSide(ctx, job, toId, disks.new));
      const ready = await Promise.all(sides.map((s) => waitUntilReady(s.live.machine, 180_000, job.signal)));
      ready.forEach((r, i) => {
        if (!r.ok) throw new EngineError('failed', `${i === 0 ? 'OLD' : 'NEW'} never became ready: ${r.reason}`);
      });
      if (!req.data && newSpec.upgrade.seed.length) {
        job.progress('seed', 0.5, `seeding both with NEW's upgrade.seed`);
        for (const s of sides) {
          const results = await runGuestCommands(s.live.machine, newSpec.upgrade.seed, 'seed');
          const bad = results.find((r) => r.status === 'failed');
          if (bad) throw new EngineError('failed', `seeding ${s === sides[0] ? 'OLD' : 'NEW'} failed: ${bad.name}: ${bad.message}`);
        }
      }
      // Both services must be answering before the first request counts.
      const guestPorts = [...new Set(newSpec.network.forward.map((f) => f.guest))].filter((p) => oldSpec.network.forward.some((f) => f.guest === p));
      const routed = route(requests, guestPorts);
      for (const s of sides) s.consoleAt = s.live.machine.console.output.length;
      const differences: CanaryReport['differences'] = [];
      let changedBodies = 0;
      let replayed = 0;
      const opts = { ignore: [...DEFAULT_IGNORE, ...ignore], bodies: Boolean(req.bodies) };
      for (const [i, r] of routed.entries()) {
        if (r.port === null) continue;
        job.progress('replay', 0.55 + 0.4 * (i / routed.length), `${i + 1}/${routed.length}: ${r.req.method} ${r.req.target}`);
        const answers: Answer[] = [];
        for (const s of sides) {
          const host = s.live.machine.hostPort(r.port);
          answers.push(host === undefined ? { status: 0, contentType: '', bytes: 0, ms: 0, body: '', error: `guest port ${r.port} is not forwarded in this version` } : await replay(r.req, host));
        }
        replayed++;
        const [o, n] = answers;
        const w = why(o, n, opts);
        const strip = (a: Answer) => ({ status: a.status, contentType: a.contentType, bytes: a.bytes, ms: Math.round(a.ms), ...(a.error ? { error: a.error } : {}) });
        if (w) differences.push({ request: label(r.req), old: strip(o), new: strip(n), why: w });
        else if (!opts.bodies && o.body !== n.body) changedBodies++;
      }
      // Error lines come a moment after the answer that caused them.
      await new Promise((res) => setTimeout(res, 500));
      const [oldOut, newOut] = sides.map((s) => s.live.machine.console.output.slice(s.consoleAt));
      const report: CanaryReport = {
        from: { id: oldBuild.id, version: oldBuild.version },
        to: { id: newBuild.id, version: newBuild.version },
        requests: replayed,
        skipped: routed.filter((r) => r.port === null).map((r) => ({ request: label(r.req), why: r.why! })),
        differences,
        newErrors: newErrors(oldOut, newOut),
        changedBodies,
        verdict: 'promote',
      };
      report.verdict = report.differences.length || report.newErrors.length ? 'hold' : 'promote';
      fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report, null, 2));
      for (const d of differences) job.log('warn', `canary: ${d.request}: ${d.why}`);
      job.log(report.verdict === 'promote' ? 'info' : 'error', `canary: ${report.verdict} (${replayed} requests, ${differences.length} differences, ${report.newErrors.length} new error lines)`);
      return { buildId: toId, ...(report.verdict === 'hold' ? { failed: `hold: ${differences.length} differences, ${report.newErrors.length} new error lines` } : {}) };
    } finally {
      await Promise.all(sides.map((s) => s.live.machine.stop({ graceMs: 5000 })));
      for (const f of Object.values(disks)) fs.rmSync(f, { force: true });
    }
  });
}
