// updates.bundle: the steps from one build of an appliance to a newer one, in version order,
// each the newer build's diff package against the step before it when the build made one
// (yoke build --diff-from, or its parent), else its full package.
import fs from 'node:fs';
import path from 'node:path';
import type { ApiContext as Engine } from './context';
import type { Req, Res } from './contract';
import { EngineError } from './errors';
import { bundleName, compareVersions, writeBundle } from '../build/updates/bundle';
import { fullPackageOf } from '../build/updates/package-files';

export async function makeBundle(engine: Engine, req: Req<'updates.bundle'>): Promise<Res<'updates.bundle'>> {
  const store = engine.store();
  const from = store.getBuild(req.fromBuildId);
  const to = store.getBuild(req.toBuildId);
  if (!from) throw new EngineError('not-found', `--from ${req.fromBuildId}: there is no build #${req.fromBuildId}.`);
  if (!to) throw new EngineError('not-found', `--to ${req.toBuildId}: there is no build #${req.toBuildId}.`);
  if (from.appliance !== to.appliance) throw new EngineError('invalid-request', `build #${from.id} is of ${from.appliance} and build #${to.id} of ${to.appliance}: a bundle is for one appliance.`);
  if (compareVersions(to.version, from.version) <= 0) throw new EngineError('invalid-request', `build #${to.id} (${to.version}) is not newer than build #${from.id} (${from.version}): a bundle only goes forward.`);
  // The newest succeeded build of each version in between, then `to` itself.
  const between = new Map<string, number>();
  for (const b of store.listBuilds({ appliance: to.appliance })) {
    if (b.status !== 'succeeded' || between.has(b.version)) continue;
    if (compareVersions(b.version, from.version) > 0 && compareVersions(b.version, to.version) < 0) between.set(b.version, b.id);
  }
  const chain = [...[...between.entries()].sort((a, b) => compareVersions(a[0], b[0])).map(([, id]) => id), to.id];
  const steps: Res<'updates.bundle'>['steps'] = [];
  let prev = from;
  for (const id of chain) {
    const b = store.getBuild(id)!;
    const diff = b.artifacts.find((a) => a.kind === 'update-diff' && path.basename(a.path).startsWith(`${b.appliance}-${prev.version}-b${prev.id}-to-`) && fs.existsSync(a.path));
    const file = diff?.path ?? fullPackageOf(b);
    steps.push({ buildId: b.id, version: b.version, kind: diff ? 'diff' : 'full', file, bytes: fs.statSync(file).size });
    prev = b;
  }
  const out = path.resolve(req.out ?? path.join(path.dirname(fullPackageOf(to)), bundleName(to.appliance, from.version, to.version)));
  await writeBundle(out, to.appliance, steps.map((s) => s.file), 1704067200);
  return { path: out, bytes: fs.statSync(out).size, steps };
}
