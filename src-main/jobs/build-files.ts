import fs from 'node:fs';
import path from 'node:path';
import type { BuildDetail } from '../api/contract';
import { EngineError } from '../api/errors';
import type { ApplianceSpec } from '../spec/types';
import { loadSpec } from '../spec/load';

export const SPEC_SNAPSHOT = 'spec.json';

/** Keeps the spec a build was made from beside its artifacts: later tests of that build use it. */
export function saveSpecSnapshot(buildDir: string, spec: ApplianceSpec): void {
  const tmp = path.join(buildDir, `.${SPEC_SNAPSHOT}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify(spec, null, 2));
  fs.renameSync(tmp, path.join(buildDir, SPEC_SNAPSHOT));
}

/** The spec a build was made from (its snapshot), else the appliance folder's current one. */
export function specOfBuild(b: BuildDetail): ApplianceSpec {
  const buildDir = b.artifacts[0] ? path.dirname(b.artifacts.find((a) => a.disk === 'os' && a.format === 'raw')?.path ?? b.artifacts[0].path) : null;
  if (buildDir) {
    try {
      return JSON.parse(fs.readFileSync(path.join(buildDir, SPEC_SNAPSHOT), 'utf8')) as ApplianceSpec;
    } catch {
      // older builds have no snapshot; fall through
    }
  }
  if (b.dir) {
    const r = loadSpec(b.dir);
    if (r.spec) return r.spec;
  }
  throw new EngineError('not-found', `build #${b.id}: its spec is gone (no ${SPEC_SNAPSHOT} and ${b.dir ?? 'no folder'} is not a valid appliance)`);
}

export interface BootFiles {
  buildDir: string;
  osDisk: string;
  dataDisk: string | null;
  kernel: string;
  initrd: string;
  cmdline: string;
}

/** The files a build boots from; a clear error when a build's files were deleted or never made. */
export function bootFilesOf(b: BuildDetail): BootFiles {
  if (b.status !== 'succeeded') throw new EngineError('failed', `build #${b.id} ${b.status}; only a succeeded build can boot`);
  const os = b.artifacts.find((a) => a.disk === 'os' && a.format === 'raw');
  if (!os) throw new EngineError('not-found', `build #${b.id} has no raw OS disk`);
  const buildDir = path.dirname(os.path);
  const data = b.artifacts.find((a) => a.disk === 'data' && a.format === 'raw' && path.basename(a.path) === 'data.raw');
  const files: BootFiles = {
    buildDir,
    osDisk: os.path,
    dataDisk: data?.path ?? null,
    kernel: path.join(buildDir, 'boot', 'vmlinuz'),
    initrd: path.join(buildDir, 'boot', 'initrd.zst'),
    cmdline: '',
  };
  for (const f of [files.osDisk, files.kernel, files.initrd, ...(files.dataDisk ? [files.dataDisk] : [])]) {
    if (!fs.existsSync(f)) throw new EngineError('not-found', `build #${b.id}: ${f} is missing (deleted?). Build again.`);
  }
  files.cmdline = fs.readFileSync(path.join(buildDir, 'boot', 'cmdline'), 'utf8').trim();
  return files;
}
