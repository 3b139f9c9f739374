import fs from 'node:fs';
import path from 'node:path';
import { junitXml } from '../../checks/junit';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import type { RunDetail } from '../../api/contract';
import { formatMs } from '../progress';
import { runJob } from '../job';
import { printable } from '../printable';
import { appliancePositional, parseBuildId, parseFirmware, refused } from '../shared';

const PHASES = ['old', 'seed', 'upgraded', 'verify', 'rolledback'];

export interface UpgradePairJson {
  from: { id: number; version: string };
  to: { id: number; version: string };
  method: string;
  status: string;
  /** Where the appliance ended: NEW, or OLD again after rolling a failed update back by itself. */
  after: { version: string; rolledBack: boolean } | null;
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
    after: run.after,
    runId: run.id,
    durationMs: run.durationMs ?? 0,
    checks: run.checks,
    consoleLogs: { old: run.oldConsoleLog ?? '', new: run.consoleLog ?? '' },
  };
}

export const upgradeTestCommand: CliCommand = {
  name: 'upgrade-test',
  summary: 'prove a new build upgrades older ones, keeping their data',
  usage: `Usage: yoke upgrade-test [DIR] --from VERSION|BUILD|released [--to BUILD] [--method swap|package] [--hardware NAME] [--verbose]

  DIR              appliance folder (default: current folder); built first (cached) unless --to is given
  --from WHAT      the OLD build(s): a version (its newest build), a build number, or "released" (every released build)
  --to BUILD       upgrade to this build instead of building DIR
  --method HOW     swap: boot NEW's OS disk with OLD's data disk (default)
                   package: install NEW's full update package inside OLD and reboot
  --hardware NAME  boot both halves on this hardware from each build's exported disks
                   (virtualbox-ide, virtualbox-sata, vmware-ide, vmware-pvscsi, virtio; swap only)
  --firmware F     bios (default) or uefi (OVMF): how every VM of the test starts
  --keep-disks     keep each pair's disks under runs/<id>/ even when it passed
  --shard I/N      run only every Nth pair, starting at the Ith (CI jobs run the shards in parallel)
  --junit FILE     also write every pair's checks as JUnit XML
  --data FILE      OLD boots on a copy of this data disk (a customer's, as their hypervisor exports it:
                   raw, qcow2, vmdk, vhd, vdi, or a tar(.zst) of the data) instead of a fresh one
  --verbose        print every log line`,
  options: {
    from: { type: 'string' },
    to: { type: 'string' },
    method: { type: 'string' },
    hardware: { type: 'string' },
    firmware: { type: 'string' },
    'keep-disks': { type: 'boolean' },
    shard: { type: 'string' },
    junit: { type: 'string' },
    data: { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  },
  async run(ctx, args) {
    const from = args.values.from;
    if (typeof from !== 'string' || !from.trim()) throw new UsageError('--from is required: a version, a build number, or "released"');
    const method = (args.values.method ?? 'swap') as string;
    if (method !== 'swap' && method !== 'package') throw new UsageError(`--method must be swap or package, got '${method}'`);
    const toBuildId = parseBuildId(args.values.to, '--to');
    const firmware = parseFirmware(args.values.firmware);
    let shard: { index: number; of: number } | undefined;
    if (args.values.shard !== undefined) {
      const m = /^(\d+)\/(\d+)$/.exec(String(args.values.shard));
      if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new UsageError(`--shard expects I/N with 1 ≤ I ≤ N (like 2/4), got '${String(args.values.shard)}'`);
      shard = { index: Number(m[1]), of: Number(m[2]) };
    }
    const dir = toBuildId === undefined ? appliancePositional(args) : undefined;
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      let outcome;
      try {
        outcome = await runJob(
          engine,
          ctx,
          () => engine.request('upgrades.run', { dir, toBuildId, from: from.trim(), method, firmware, keepDisks: Boolean(args.values['keep-disks']), ...(args.values.data ? { data: path.resolve(String(args.values.data)) } : {}), ...(shard ? { shard } : {}), ...(args.values.hardware !== undefined ? { hardware: String(args.values.hardware) } : {}) }),
          { verbose: Boolean(args.values.verbose) },
        );
      } catch (e) {
        return refused(ctx, 'upgrade-test', e);
      }
      if (!outcome.runIds?.length && outcome.status === 'succeeded') {
        // A shard of a matrix with fewer pairs than shards: nothing to do is not a failure.
        ctx.err('yoke upgrade-test: no pairs to run in this shard\n');
        if (ctx.json) ctx.out(JSON.stringify({ pairs: [] }) + '\n');
        return EXIT_OK;
      }
      if (!outcome.runIds?.length) {
        // Refused after it started (a wrong --from is found once the appliance is known), or NEW failed to build.
        const why = outcome.status === 'cancelled' ? 'cancelled' : (outcome.error ?? outcome.status);
        ctx.err(`yoke upgrade-test: ${why}\n`);
        if (ctx.json) ctx.out(JSON.stringify({ error: { code: outcome.status === 'failed' ? 'failed' : outcome.status, message: why } }) + '\n');
        return EXIT_FAILED;
      }
      const pairs = await Promise.all(outcome.runIds.map((id) => pairOf(engine, id)));
      if (args.values.junit) {
        const results = pairs.flatMap((p) => p.checks.map((c) => ({ ...c, name: `#${p.from.id} ${p.from.version} -> #${p.to.id} ${p.to.version}: ${c.name}` })));
        fs.writeFileSync(path.resolve(String(args.values.junit)), junitXml(`upgrades to ${pairs[0]?.to.version ?? '?'}${shard ? ` (shard ${shard.index}/${shard.of})` : ''}`, results));
      }
      if (ctx.json) ctx.out(JSON.stringify({ pairs }) + '\n');
      for (const p of pairs) {
        const head = `#${p.from.id} ${p.from.version} -> #${p.to.id} ${p.to.version} (${p.method}): ${p.status.toUpperCase()} in ${formatMs(p.durationMs)}${p.after?.rolledBack ? ` — the update failed on the appliance and it rolled back to ${p.after.version} by itself` : ''}`;
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
