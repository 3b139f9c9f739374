import type { JobContext } from './context';
import { EngineError } from '../api/errors';
import { folderKey } from '../build/updates/folder-key';
import { fullPackageOf } from '../build/updates/package-files';
import type { UpdateBuildOptions } from '../build/updates/update-stages';

/**
 * What a build job passes to the pipeline for updates: the appliance's key (made on its first
 * build) and the older build a diff package is made against (--diff-from, else the parent).
 */
export function updateOptions(engine: JobContext, appliance: string, dir: string, diffFrom: number | undefined, parentId: number | undefined): UpdateBuildOptions {
  const diffFromId = diffFrom ?? parentId;
  const key = folderKey(engine.home, appliance, dir);
  if (diffFromId === undefined) return { key };
  const b = engine.store().getBuild(diffFromId);
  if (!b) throw new EngineError('invalid-request', `--diff-from ${diffFromId}: there is no build #${diffFromId}.`);
  if (b.appliance !== appliance) throw new EngineError('invalid-request', `--diff-from ${diffFromId}: build #${diffFromId} is of ${b.appliance}, not ${appliance}.`);
  let fullPackage: string;
  try {
    fullPackage = fullPackageOf(b);
  } catch (e) {
    if (diffFrom !== undefined) throw new EngineError('invalid-request', `--diff-from ${diffFrom}: ${(e as Error).message}`);
    return { key };
  }
  return { key, diffFrom: { buildId: b.id, version: b.version, fullPackage } };
}
