// Bundles: one file that brings an appliance several versions behind up to date in one install.
// A bundle is an uncompressed tar (busybox tar reads it) holding `bundle` (text: the format, the
// appliance and its steps in order) and the steps themselves: signed update packages, each a
// diff against the step before it where one was made (else a full package). The bundle itself
// is not signed: every step is, and each diff step's manifest names the checksum of every file
// it starts from, so a step out of order or from elsewhere fails its own checks.
import fs from 'node:fs';
import path from 'node:path';
import { writeTar } from '../tar';

export const BUNDLE_FORMAT = 1;

export function bundleName(appliance: string, fromVersion: string, toVersion: string): string {
  return `${appliance}-${fromVersion}-to-${toVersion}.bundle.yup`;
}

/** Orders dotted versions with an optional -pre suffix (semver's precedence, build metadata ignored). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.replace(/\+.*/, '').split(/-(.*)/s);
    return { nums: core.split('.').map((n) => Number(n) || 0), pre: pre ?? null };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) if ((x.nums[i] ?? 0) !== (y.nums[i] ?? 0)) return (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
  if (x.pre === y.pre) return 0;
  if (x.pre === null) return 1;
  if (y.pre === null) return -1;
  return x.pre.localeCompare(y.pre, 'en', { numeric: true });
}

export function bundleText(appliance: string, steps: string[]): string {
  return [`yoke-bundle ${BUNDLE_FORMAT}`, `appliance ${appliance}`, ...steps.map((s) => `step ${s}`), ''].join('\n');
}

/** Writes the bundle; a failure leaves no half file. */
export async function writeBundle(out: string, appliance: string, steps: string[], epoch: number): Promise<void> {
  const names = steps.map((s) => path.basename(s));
  if (new Set(names).size !== names.length) throw new Error('Two bundle steps have the same file name.');
  const entries = [{ name: 'bundle', data: Buffer.from(bundleText(appliance, names)) }, ...steps.map((s) => ({ name: path.basename(s), file: s, size: fs.statSync(s).size }))];
  const tmp = `${out}.partial`;
  try {
    await writeTar(tmp, entries, epoch);
    fs.renameSync(tmp, out);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}
