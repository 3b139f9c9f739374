import type { Engine } from '../api/engine';
import type { Req, Res } from '../api/contract';
import { EngineError } from '../api/errors';
import { releasedBuilds } from './history';
import { startUpgradeTest, type UpgradeMethod } from './upgrade-test';

const CANDIDATES = 10;

/** Released builds against the newest succeeded builds, each cell the latest upgrade run of that pair. */
export function upgradeMatrix(engine: Engine, appliance: string): Res<'upgrades.matrix'> {
  const store = engine.store();
  const rows = releasedBuilds(store, appliance);
  const candidates = store.listBuilds({ appliance }).filter((b) => b.status === 'succeeded').slice(0, CANDIDATES);
  const latest = new Map<string, { id: number; status: string }>();
  for (const r of store.listUpgradeRuns(appliance)) {
    const k = `${r.fromBuildId}>${r.buildId}`;
    if (!latest.has(k) && (r.status === 'passed' || r.status === 'failed')) latest.set(k, r);
  }
  const cells: Res<'upgrades.matrix'>['cells'] = [];
  for (const from of rows) {
    for (const to of candidates) {
      if (to.id === from.id) continue;
      const run = latest.get(`${from.id}>${to.id}`);
      cells.push(run ? { fromBuildId: from.id, toBuildId: to.id, status: run.status as 'passed' | 'failed', runId: run.id } : { fromBuildId: from.id, toBuildId: to.id, status: 'not-run' });
    }
  }
  return { candidates, rows, cells };
}

/** One job upgrading each OLD build to the NEW one in turn; results arrive as test.check events with phases. */
export function runUpgrades(engine: Engine, req: Req<'upgrades.run'>): Res<'upgrades.run'> {
  const store = engine.store();
  const to = store.getBuildRecord(req.toBuildId);
  if (!to) throw new EngineError('not-found', `no build #${req.toBuildId}`);
  for (const id of req.fromBuildIds) {
    const b = store.getBuildRecord(id);
    if (!b) throw new EngineError('not-found', `no build #${id}`);
    if (b.appliance !== to.appliance) throw new EngineError('invalid-request', `build #${id} is of ${b.appliance}, not ${to.appliance}`);
  }
  const { jobId } = startUpgradeTest(engine, { toBuildId: req.toBuildId, from: req.fromBuildIds.join(','), method: (req.method ?? 'swap') as UpgradeMethod });
  return { jobId };
}
