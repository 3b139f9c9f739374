import { EXIT_OK, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { formatMs } from '../progress';
import { printable } from '../printable';

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'list builds and test runs with their status, version, date, duration and test result',
  usage: `Usage: yoke history [APPLIANCE] [--limit N] [--json]

  APPLIANCE   only this appliance's builds and runs (its name)
  --limit N   the newest N builds and N runs (default 50)

--json prints {"builds":[{"id","appliance","version","status","testStatus","createdAt","durationMs",...}],"runs":[...]}.
A build or run whose Yoke process died is listed as interrupted.`,
  options: { limit: { type: 'string' } },
  async run(ctx, args) {
    if (args.positionals.length > 1) throw new UsageError(`expected at most one appliance name, got ${args.positionals.join(' ')}`);
    const appliance = args.positionals[0];
    const limit = args.values.limit === undefined ? 50 : Number(args.values.limit);
    if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit expects a positive whole number, got '${String(args.values.limit)}'`);
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      const builds = await engine.request('builds.list', { appliance, limit });
      const runs = await engine.request('runs.list', { appliance, limit });
      if (ctx.json) {
        ctx.out(JSON.stringify({ builds, runs }) + '\n');
        return EXIT_OK;
      }
      if (builds.length === 0) ctx.out(appliance ? `No builds of ${appliance}.\n` : 'No builds yet. Build one with `yoke build DIR`.\n');
      const rows = builds.map((b) => [`#${b.id}`, b.appliance, b.version, b.status, `test ${b.testStatus}`, b.createdAt.replace('T', ' ').slice(0, 19), b.durationMs === null ? '' : formatMs(b.durationMs), b.released ? 'released' : '']);
      const widths = rows.reduce((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), [] as number[]);
      for (const r of rows) ctx.out(printable(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()) + '\n');
      if (runs.length) {
        ctx.out('\nRuns:\n');
        for (const r of runs) {
          const what = r.kind === 'upgrade' ? `upgrade #${r.fromBuildId ?? '?'} -> #${r.buildId}${r.method ? ` (${r.method})` : ''}` : `test of #${r.buildId}`;
          ctx.out(printable(`  run ${r.id}  ${r.appliance} ${r.version}  ${what}  ${r.status}  ${r.startedAt.replace('T', ' ').slice(0, 19)}${r.durationMs === null ? '' : `  ${formatMs(r.durationMs)}`}`) + '\n');
        }
      }
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};
