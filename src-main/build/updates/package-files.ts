import fs from 'node:fs';
import path from 'node:path';
import type { BuildDetail } from '../../api/contract';
import { EngineError } from '../../api/errors';

/** Update packages live in the build folder under updates/. */
export const UPDATES_SUBDIR = 'updates';

export function fullPackageName(appliance: string, version: string): string {
  return `${appliance}-${version}.full.yup`;
}

export function diffPackageName(appliance: string, fromVersion: string, fromBuildId: number | string, version: string): string {
  return `${appliance}-${fromVersion}-b${fromBuildId}-to-${version}.diff.yup`;
}

/** The full update package of a build (recorded as an 'update-full' artifact). */
export function fullPackageOf(b: BuildDetail): string {
  const a = b.artifacts.find((x) => x.kind === 'update-full');
  if (a && fs.existsSync(a.path)) return a.path;
  const os = b.artifacts.find((x) => x.disk === 'os' && x.format === 'raw');
  const guess = os ? path.join(path.dirname(os.path), UPDATES_SUBDIR, fullPackageName(b.appliance, b.version)) : null;
  if (guess && fs.existsSync(guess)) return guess;
  throw new EngineError('not-found', `build #${b.id} has no full update package (built before update packages existed?). Build ${b.appliance} again.`);
}

/** The raw update medium of a build (an 'update-medium' artifact; the vmdk beside it is the customer's copy). */
export function mediumOf(b: BuildDetail): string {
  const a = b.artifacts.find((x) => x.kind === 'update-medium' && x.format === 'raw');
  if (a && fs.existsSync(a.path)) return a.path;
  throw new EngineError('not-found', `build #${b.id} has no update medium (built before update media existed, or without a signed full update package). Build ${b.appliance} again.`);
}
