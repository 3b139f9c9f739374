import path from 'node:path';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { runJob } from '../job';
import { printable } from '../printable';
import { appliancePositional, parseBuildId, refused } from '../shared';

export const canaryCommand: CliCommand = {
  name: 'canary',
  summary: 'replay real requests against the released version and the candidate side by side',
  usage: `Usage: yoke canary [DIR] --from VERSION|BUILD|released --requests FILE [--to BUILD] [--data FILE] [--ignore REGEX]… [--bodies] [--json]

  DIR              appliance folder (default: current folder); NEW is built from it unless --to is given
  --from WHAT      OLD: a version, a build number, or "released" (the newest released build)
  --requests FILE  what to replay: a HAR 1.2 file (a browser's export) or an access log in the
                   common/combined format (nginx, Apache): methods, paths, query strings, headers
                   and bodies where the file has them
  --to BUILD       compare against this build instead of building DIR
  --data FILE      both boot on copies of this data disk (a customer's: raw, qcow2, vmdk, vhd, vdi
                   or a tar(.zst)); default: a fresh one seeded with NEW's upgrade.seed
  --ignore REGEX   blank what matches in bodies before comparing (repeatable; dates and ids always are)
  --bodies         hold on any body difference (default: on status, content type, JSON shape,
                   latency and new error lines only; changed text is reported, not held)

Verdict promote (exit 0) or hold (exit 1). Requests to another host or a port the appliance does
not forward are listed as skipped. --json prints {"canary":{"from","to","requests","skipped",
"differences":[{"request","old":{"status",…},"new":{"status",…},"why"}],"newErrors","verdict"}}.`,
  options: {
    from: { type: 'string' },
    requests: { type: 'string' },
    to: { type: 'string' },
    data: { type: 'string' },
    ignore: { type: 'string', multiple: true },
    bodies: { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  },
  async run(ctx, args) {
    const from = args.values.from;
    if (typeof from !== 'string' || !from.trim()) throw new UsageError('--from is required: a version, a build number, or "released"');
    const requests = args.values.requests;
    if (typeof requests !== 'string' || !requests) throw new UsageError('--requests is required: a HAR file or an access log');
    const toBuildId = parseBuildId(args.values.to, '--to');
    const dir = toBuildId === undefined ? appliancePositional(args) : undefined;
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      let jobId = '';
      let outcome;
      try {
        outcome = await runJob(
          engine,
          ctx,
          async () => {
            const r = await engine.request('canary.start', {
              ...(dir ? { dir } : {}),
              ...(toBuildId !== undefined ? { toBuildId } : {}),
              from: from.trim(),
              requests: path.resolve(requests),
              ...(args.values.data ? { data: path.resolve(String(args.values.data)) } : {}),
              ...(args.values.ignore ? { ignore: args.values.ignore as string[] } : {}),
              bodies: Boolean(args.values.bodies),
            });
            jobId = r.jobId;
            return r;
          },
          { verbose: Boolean(args.values.verbose) },
        );
      } catch (e) {
        return refused(ctx, 'canary', e);
      }
      const got = await engine.call('canary.get', { jobId });
      if (!got.ok) {
        ctx.err(`yoke canary: ${outcome.error ?? got.error.message}\n`);
        if (ctx.json) ctx.out(JSON.stringify({ error: { code: 'failed', message: outcome.error ?? got.error.message } }) + '\n');
        return EXIT_FAILED;
      }
      const c = got.value;
      if (ctx.json) ctx.out(JSON.stringify({ canary: c }) + '\n');
      const lines = [`canary #${c.from.id} ${c.from.version} vs #${c.to.id} ${c.to.version}: ${c.verdict.toUpperCase()} (${c.requests} requests replayed, ${c.skipped.length} skipped, ${c.changedBodies} bodies changed text)`];
      for (const d of c.differences) lines.push(`  ✗ ${d.request}: ${d.why}`);
      for (const e of c.newErrors) lines.push(`  ✗ new error line: ${e}`);
      for (const s of c.skipped) lines.push(`  - skipped ${s.request}: ${s.why}`);
      (ctx.json ? ctx.err : ctx.out)(printable(lines.join('\n')) + '\n');
      return c.verdict === 'promote' ? EXIT_OK : EXIT_FAILED;
    } finally {
      await engine.close();
    }
  },
};
