import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { EngineError } from '../../api/errors';
import { startUpgradeTest, type UpgradeMethod, type UpgradeReport } from '../../upgrade/upgrade-test';
import { followJob, formatMs } from '../progress';
import { appliancePositional, interruptible } from '../shared';
import { parseBuildId } from './test';
import { printable } from '../printable';

const PHASES = ['old', 'seed', 'upgraded', 'verify'];

export function upgradeJson(r: UpgradeReport) {
  return {
    pairs: r.pairs.map((p) => ({
      from: p.from,
      to: p.to,
      method: p.method,
      status: p.status,
      runId: p.runId,
      durationMs: p.durationMs,
      checks: p.checks.map((c) => ({ name: c.name, kind: c.kind, status: c.status, message: c.message, durationMs: c.durationMs, phase: c.phase })),
      consoleLogs: p.consoleLogs,
    })),
  };
}

export const upgradeTestCommand: CliCommand = {
  name: 'upgrade-test',
  summary: 'prove a new build upgrades older ones, keeping their data',
  usage: `Usage: yoke upgrade-test [DIR] --from VERSION|BUILD|released [--to BUILD] [--method swap|package] [--verbose]

  DIR              appliance folder (default: current folder); built first (cached) unless --to is given
  --from WHAT      the OLD build(s): a version (its newest build), a build number, or "released" (every released build)
  --to BUILD       upgrade to this build instead of building DIR
  --method HOW     swap: boot NEW's OS disk with OLD's data disk (default)
                   package: install NEW's full update package inside OLD and reboot
  --keep-disks     keep each pair's disks under runs/<id>/ even when it passed
  --verbose        print every log line`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    method: { type: 'string' },
    'keep-disks': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  },
  async run(ctx, args) {
    const from = args.values.from;
    if (typeof from !== 'string' || !from.trim()) throw new UsageError('--from is required: a version, a build number, or "released"');
    const method = (args.values.method ?? 'swap') as string;
    if (method !== 'swap' && method !== 'package') throw new UsageError(`--method must be swap or package, got '${method}'`);
    const toBuildId = parseBuildId(args.values.to);
    const dir = toBuildId === undefined ? appliancePositional(args) : undefined;
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      const t = startUpgradeTest(engine, { dir, toBuildId, from: from.trim(), method: method as UpgradeMethod, keepDataDisk: Boolean(args.values['keep-disks']) });
      const stop = followJob(engine, ctx, t.jobId, { verbose: Boolean(args.values.verbose) });
      await interruptible(engine, t.jobId, t.done);
      stop();
      let report: UpgradeReport;
      try {
        report = await t.report;
      } catch (e) {
        const usage = e instanceof EngineError && (e.code === 'spec' || e.code === 'invalid-request');
        ctx.err(printable(usage && e instanceof EngineError && e.code === 'spec' ? `${e.message}\n` : `yoke upgrade-test: ${(e as Error).message}\n`));
        if (ctx.json) ctx.out(JSON.stringify({ error: { code: e instanceof EngineError ? e.code : 'internal', message: (e as Error).message } }) + '\n');
        return usage ? EXIT_USAGE : EXIT_FAILED;
      }
      if (ctx.json) ctx.out(JSON.stringify(upgradeJson(report)) + '\n');
      for (const p of report.pairs) {
        const head = `#${p.from.id} ${p.from.version} -> #${p.to.id} ${p.to.version} (${p.method}): ${p.status.toUpperCase()} in ${formatMs(p.durationMs)}`;
        const lines = [head];
        for (const phase of PHASES) {
          for (const c of p.checks.filter((x) => x.phase === phase || (phase === 'old' && !PHASES.includes(x.phase ?? '')))) {
            const mark = c.status === 'passed' ? '✓' : '✗';
            lines.push(`  ${mark} [${c.phase}] ${printable(c.name)}  ${formatMs(c.durationMs)}${c.status === 'failed' ? `\n      ${printable(c.message).replace(/\n/g, '\n      ')}` : ''}`);
          }
        }
        const failed = p.checks.filter((c) => c.status === 'failed');
        if (failed.length) lines.push(`  failed: ${failed.map((c) => printable(c.name)).join(', ')}`);
        lines.push(`  console logs: ${p.consoleLogs.old} ${p.consoleLogs.new}`);
        (ctx.json ? ctx.err : ctx.out)(lines.join('\n') + '\n');
      }
      return report.pairs.every((p) => p.status === 'passed') ? EXIT_OK : EXIT_FAILED;
    } finally {
      await engine.close();
    }
  },
};
