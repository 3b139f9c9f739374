import { EXIT_FAILED, EXIT_OK, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import type { RunDetail } from '../../api/contract';
import { formatMs } from '../progress';
import { runJob } from '../job';
import { printable } from '../printable';
import { appliancePositional, parseBuildId, refused } from '../shared';

const PHASES = ['old', 'seed', 'upgraded', 'verify'];

export interface UpgradePairJson {
  from: { id: number; version: string };
  to: { id: number; version: string };
  method: string;
  status: string;
  runId: number;
  durationMs: number;
  checks: RunDetail['checks'];
  consoleLogs: { old: string; new: string };
}

async function pairOf(engine: Engine, runId: number): Promise<UpgradePairJson> {
  const run = await engine.request('runs.get', { id: runId });
  const from = run.fromBuildId !== null ? await engine.request('builds.get', { id: run.fromBuildId }) : null;
  return {
    from: { id: run.fromBuildId ?? 0, version: from?.version ?? '?' },
    to: { id: run.buildId, version: run.version },
    method: run.method ?? 'swap',
    status: run.status,
    runId: run.id,
    durationMs: run.durationMs ?? 0,
    checks: run.checks,
    consoleLogs: { old: run.oldConsoleLog ?? '', new: run.consoleLog ?? '' },
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
    const toBuildId = parseBuildId(args.values.to, '--to');
    const dir = toBuildId === undefined ? appliancePositional(args) : undefined;
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      let outcome;
      try {
        outcome = await runJob(
          engine,
          ctx,
          () => engine.request('upgrades.run', { dir, toBuildId, from: from.trim(), method, keepDisks: Boolean(args.values['keep-disks']) }),
          { verbose: Boolean(args.values.verbose) },
        );
      } catch (e) {
        return refused(ctx, 'upgrade-test', e);
      }
      if (!outcome.runIds?.length) {
        // Refused after it started (a wrong --from is found once the appliance is known), or NEW failed to build.
        const why = outcome.status === 'cancelled' ? 'cancelled' : (outcome.error ?? outcome.status);
        ctx.err(`yoke upgrade-test: ${why}\n`);
        if (ctx.json) ctx.out(JSON.stringify({ error: { code: outcome.status === 'failed' ? 'failed' : outcome.status, message: why } }) + '\n');
        return EXIT_FAILED;
      }
      const pairs = await Promise.all(outcome.runIds.map((id) => pairOf(engine, id)));
      if (ctx.json) ctx.out(JSON.stringify({ pairs }) + '\n');
      for (const p of pairs) {
        const head = `#${p.from.id} ${p.from.version} -> #${p.to.id} ${p.to.version} (${p.method}): ${p.status.toUpperCase()} in ${formatMs(p.durationMs)}`;
        const lines = [head];
        for (const phase of PHASES) {
          for (const c of p.checks.filter((x) => x.phase === phase || (phase === 'old' && !PHASES.includes(x.phase ?? '')))) {
            const mark = c.status === 'passed' ? '✓' : '✗';
            lines.push(`  ${mark} [${c.phase}] ${c.name}  ${formatMs(c.durationMs)}${c.status === 'failed' ? `\n      ${c.message.replace(/\n/g, '\n      ')}` : ''}`);
          }
        }
        const failed = p.checks.filter((c) => c.status === 'failed');
        if (failed.length) lines.push(`  failed: ${failed.map((c) => c.name).join(', ')}`);
        lines.push(`  console logs: ${p.consoleLogs.old} ${p.consoleLogs.new}`);
        (ctx.json ? ctx.err : ctx.out)(printable(lines.join('\n')) + '\n');
      }
      return outcome.status === 'succeeded' && pairs.every((p) => p.status === 'passed') ? EXIT_OK : EXIT_FAILED;
    } finally {
      await engine.close();
    }
  },
};
