import type { JobContext } from './context';
import { EngineError } from '../api/errors';
import { folderKey } from '../build/updates/folder-key';
import { fullPackageOf } from '../build/updates/package-files';
import { compareVersions } from '../build/updates/bundle';
import type { UpdateBuildOptions } from '../build/updates/update-stages';

/**
 * What a build job passes to the pipeline for updates: the appliance's key (made on its first
 * build) and the older build a diff package is made against (--diff-from, else the parent).
 */
export function updateOptions(engine: JobContext, appliance: string, dir: string, diffFrom: number | undefined, parentId: number | undefined, version: string): UpdateBuildOptions {
  const diffFromId = diffFrom ?? parentId;
  const key = folderKey(engine.home, appliance, dir);
  if (diffFromId === undefined) return { key };
  if (diffFrom !== undefined) requireDiffBase(engine, appliance, version, diffFrom);
  const b = engine.store().getBuild(diffFromId);
  // The parent build is gone, of another version line or not older: no diff package, no error.
  if (!b || b.appliance !== appliance || compareVersions(b.version, version) >= 0) return { key };
  let fullPackage: string;
  try {
    fullPackage = fullPackageOf(b);
  } catch (e) {
    if (diffFrom !== undefined) throw new EngineError('invalid-request', `--diff-from ${diffFrom}: ${(e as Error).message}`);
    return { key };
  }
  return { key, diffFrom: { buildId: b.id, version: b.version, fullPackage } };
}

/**
 * --diff-from names a build of this appliance at an older version (appliances refuse downgrades:
 * a diff from a version that is not older could never be installed); else an invalid request.
 */
export function requireDiffBase(engine: JobContext, appliance: string, version: string, diffFrom: number): void {
  const b = engine.store().getBuild(diffFrom);
  if (!b) throw new EngineError('invalid-request', `--diff-from ${diffFrom}: there is no build #${diffFrom}.`);
  if (b.appliance !== appliance) throw new EngineError('invalid-request', `--diff-from ${diffFrom}: build #${diffFrom} is of ${b.appliance}, not ${appliance}.`);
  if (compareVersions(b.version, version) >= 0) throw new EngineError('invalid-request', `--diff-from ${diffFrom}: build #${diffFrom} is ${appliance} ${b.version}, not older than ${version}; a diff package goes from an older version to this one.`);
}
