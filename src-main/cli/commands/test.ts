import fs from 'node:fs';
import path from 'node:path';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { EngineError } from '../../api/errors';
import { startTest, type TestRunReport } from '../../api/test-job';
import { junitXml } from '../../checks/junit';
import { followJob, formatMs } from '../progress';
import { appliancePositional, buildJson, interruptible } from '../shared';
import type { LiveVm } from '../../api/vm-service';
import { printable } from '../printable';

export function parseBuildId(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--build expects a build number, got '${String(v)}'`);
  return n;
}

export const testCommand: CliCommand = {
  name: 'test',
  summary: "boot a build and run the appliance's checks",
  usage: `Usage: yoke test [DIR] [--build ID] [--junit FILE] [--keep-running] [--verbose]

  DIR             appliance folder (default: current folder); built first when it changed
  --build ID      test this build instead
  --junit FILE    also write the results as JUnit XML
  --keep-running  leave the VM running after the checks, until Ctrl-C
  --verbose       print every log line, including the VM's console`,
  options: {
    build: { type: 'string' },
    junit: { type: 'string' },
    'keep-running': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  },
  async run(ctx, args) {
    const buildId = parseBuildId(args.values.build);
    const dir = buildId === undefined ? appliancePositional(args) : undefined;
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    let live: LiveVm | undefined;
    try {
      const t = startTest(engine, { dir, buildId, keepRunning: Boolean(args.values['keep-running']), onVm: (v) => (live = v) });
      const stop = followJob(engine, ctx, t.jobId, { verbose: Boolean(args.values.verbose) });
      const outcome = await interruptible(engine, t.jobId, t.done);
      stop();
      let report: TestRunReport | undefined;
      try {
        report = await t.report;
      } catch (e) {
        if (e instanceof EngineError && e.code === 'spec') {
          ctx.err(`${printable(e.message)}\n`);
          return EXIT_USAGE;
        }
        ctx.err(`yoke test: ${printable((e as Error).message)}\n`);
        if (ctx.json) ctx.out(JSON.stringify({ error: { message: (e as Error).message }, ...(outcome.buildId ? { build: buildJson(engine.store().getBuild(outcome.buildId)!) } : {}) }) + '\n');
        return EXIT_FAILED;
      }
      const build = engine.store().getBuild(report.buildId)!;
      if (args.values.junit) {
        const file = path.resolve(String(args.values.junit));
        fs.writeFileSync(file, junitXml(`${build.appliance} ${build.version} (build #${build.id})`, report.checks));
      }
      if (ctx.json) {
        ctx.out(JSON.stringify({ build: buildJson(build), checks: report.checks.map((c) => ({ name: c.name, kind: c.kind, status: c.status, message: c.message, durationMs: c.durationMs })), consoleLog: report.consoleLog, screenshot: report.screenshot }) + '\n');
      } else {
        for (const c of report.checks) {
          const mark = c.status === 'passed' ? '✓' : '✗';
          ctx.out(`${mark} ${printable(c.name)}  ${formatMs(c.durationMs)}${c.status === 'failed' ? `\n    ${printable(c.message).replace(/\n/g, '\n    ')}` : ''}\n`);
        }
      }
      const failed = report.checks.filter((c) => c.status === 'failed').length;
      ctx.err(`build #${build.id} ${build.appliance} ${build.version}: ${report.checks.length - failed} passed, ${failed} failed; console log ${report.consoleLog}\n`);
      if (args.values['keep-running'] && live?.machine.isRunning) {
        ctx.err(`VM ${live.machine.vmid} keeps running: ${live.machine.forwards.map((f) => `http://127.0.0.1:${f.host}/ -> guest ${f.guest}`).join(', ')}\nPress Ctrl-C to power it off.\n`);
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
          void live!.machine.exited.then(() => resolve());
        });
      }
      return outcome.status === 'succeeded' ? EXIT_OK : EXIT_FAILED;
    } finally {
      await engine.close();
    }
  },
};
