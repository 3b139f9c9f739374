import type { ApiContext as Engine } from './context';
import fs from 'node:fs';
import type { Req, Res } from './contract';
import { EngineError } from './errors';
import { releasedBuilds, resolveFrom } from '../jobs/releases';
import { requireSpec } from '../spec/require';
import { startUpgradeTest, upgradeHardware } from '../jobs/upgrade-test';

const CANDIDATES = 10;

/** Released builds against the newest succeeded builds, each cell the latest upgrade run of that pair. */
export function upgradeMatrix(engine: Engine, appliance: string): Res<'upgrades.matrix'> {
  const store = engine.store();
  const rows = releasedBuilds(store, appliance);
  const candidates = store.listBuilds({ appliance }).filter((b) => b.status === 'succeeded').slice(0, CANDIDATES);
  const latest = new Map<string, { id: number; status: string; method: 'swap' | 'package' | null; rolledBack: boolean }>();
  for (const r of store.listUpgradeRuns(appliance)) {
    const k = `${r.fromBuildId}>${r.buildId}`;
    if (!latest.has(k) && (r.status === 'passed' || r.status === 'failed')) latest.set(k, r);
  }
  const cells: Res<'upgrades.matrix'>['cells'] = [];
  for (const from of rows) {
    for (const to of candidates) {
      if (to.id === from.id) continue;
      const run = latest.get(`${from.id}>${to.id}`);
      cells.push(run ? { fromBuildId: from.id, toBuildId: to.id, status: run.status as 'passed' | 'failed', runId: run.id, ...(run.method ? { method: run.method } : {}), ...(run.rolledBack ? { rolledBack: true } : {}) } : { fromBuildId: from.id, toBuildId: to.id, status: 'not-run' });
    }
  }
  return { candidates, rows, cells };
}

/**
 * One job upgrading each OLD build to the NEW one in turn; results arrive as test.check events with
 * phases. OLD builds are given by id (the matrix) or by `from` (the CLI's --from); NEW by id or
 * built from `dir` first.
 */
export function runUpgrades(engine: Engine, req: Req<'upgrades.run'>): Res<'upgrades.run'> {
  const store = engine.store();
  if ((req.fromBuildIds === undefined) === (req.from === undefined)) throw new EngineError('invalid-request', 'upgrades.run needs either fromBuildIds or from');
  if (req.toBuildId === undefined && req.dir === undefined) throw new EngineError('invalid-request', 'upgrades.run needs a toBuildId or a dir to build NEW from');
  if (req.toBuildId !== undefined) {
    const to = store.getBuildRecord(req.toBuildId);
    if (!to) throw new EngineError('invalid-request', `--to ${req.toBuildId}: there is no build #${req.toBuildId}.`);
    for (const id of req.fromBuildIds ?? []) {
      const b = store.getBuildRecord(id);
      if (!b) throw new EngineError('not-found', `no build #${id}`);
      if (b.appliance !== to.appliance) throw new EngineError('invalid-request', `build #${id} is of ${b.appliance}, not ${to.appliance}`);
    }
  }
  const from = req.from ?? req.fromBuildIds!.join(',');
  if (req.data && !fs.existsSync(req.data)) throw new EngineError('invalid-request', `--data ${req.data}: no such file.`);
  // A wrong --from (or a spec error in dir) is refused now, before a job or a build exists.
  const appliance = req.toBuildId !== undefined ? store.getBuildRecord(req.toBuildId)!.appliance : requireSpec(req.dir!).name;
  resolveFrom(store, appliance, from, req.toBuildId);
  upgradeHardware(req.hardware, req.method ?? 'swap'); // refused now, not as a failed job
  const { jobId } = startUpgradeTest(engine, { dir: req.dir, toBuildId: req.toBuildId, from, method: req.method ?? 'swap', keepDataDisk: req.keepDisks, dataFrom: req.data, shard: req.shard, hardware: req.hardware, firmware: req.firmware });
  return { jobId };
}
