// builds.compare: two builds side by side — spec diff, rootfs file diff, rootfs bytes by
// directory, stage timings, check results, boot time — plus the appliance's history.
import fs from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { BuildComparison, BuildDetail } from './contract';
import type { ApiContext as Engine } from './context';
import { EngineError } from './errors';
import { specOfBuild } from '../jobs/build-files';
import { bootSecondsFrom, dirSizes, fileListDiff, lineDiff } from './compare-diff';
import { packageDiff } from '../build/bases/debian-diff';
import { readLock } from '../build/bases/debian-lock';
import { debianVersionNewer } from '../tools/dpkg';
import type { NewcEntry } from '../build/newc';
import { baseFor } from '../build/bases';
import { rootfsFiles } from './rootfs-files';

const HISTORY_LIMIT = 100;

function buildDirOf(b: BuildDetail): string | null {
  const os = b.artifacts.find((a) => a.disk === 'os' && a.format === 'raw') ?? b.artifacts[0];
  return os ? path.dirname(os.path) : null;
}

/** Boot time from the build's newest test run, else the newest console log of a VM that ran it. */
function bootSeconds(engine: Engine, buildId: number): number | null {
  const tested = engine.store().latestConsoleLog(buildId);
  if (tested) {
    try {
      const s = bootSecondsFrom(fs.readFileSync(tested, 'utf8'));
      if (s !== null) return s;
    } catch {
      // the run's files were deleted; fall back to the VMs' own logs
    }
  }
  const vms = engine.store().listVms().filter((v) => v.buildId === buildId && v.stateDir);
  vms.sort((x, y) => Number(y.purpose === 'test') - Number(x.purpose === 'test') || String(y.startedAt).localeCompare(String(x.startedAt)));
  for (const vm of vms) {
    try {
      const s = bootSecondsFrom(fs.readFileSync(path.join(vm.stateDir!, 'console.log'), 'utf8'));
      if (s !== null) return s;
    } catch {
      // that VM's folder is gone; try an older one
    }
  }
  return null;
}

/** A Debian build boots the erofs root in its OS disk, not its initramfs; undefined when its spec is gone (rootfsFiles then asks the disk). */
function rootOnDisk(b: BuildDetail): boolean | undefined {
  try {
    return Boolean(baseFor(specOfBuild(b).base.userland).rootOnDisk);
  } catch {
    return undefined;
  }
}

function specText(b: BuildDetail): string {
  try {
    const spec = specOfBuild(b);
    return stringify(spec.source ?? spec, { lineWidth: 0 });
  } catch (e) {
    return `# ${(e as Error).message}\n`;
  }
}

async function side(engine: Engine, b: BuildDetail): Promise<{ side: BuildComparison['a']; files: NewcEntry[] }> {
  const { inputsHash: _h, dir: _d, logPath: _l, stages, artifacts: _a, checks, ...build } = b;
  let files: NewcEntry[] = [];
  let rootfsError: string | undefined;
  const dir = buildDirOf(b);
  try {
    if (!dir) throw new Error(`build #${b.id} has no files (it ${b.status})`);
    files = await rootfsFiles(dir, { rootOnDisk: rootOnDisk(b) });
  } catch (e) {
    rootfsError = (e as Error).message;
  }
  const regular = files.filter((f) => f.type === 'file');
  return {
    files,
    side: {
      build,
      stages,
      checks,
      bootSeconds: bootSeconds(engine, b.id),
      rootfsBytes: regular.reduce((n, f) => n + f.bytes, 0),
      rootfsFiles: regular.length,
      dirs: dirSizes(files),
      ...(rootfsError ? { rootfsError } : {}),
    },
  };
}

/** The packages two Debian builds were installed from (the appliance.lock each keeps), compared; null when neither has one. */
async function packageChanges(dirA: string | null, dirB: string | null): Promise<BuildComparison['packages'] | null> {
  const lockOf = (dir: string | null) => {
    try {
      return dir ? readLock(path.join(dir, 'appliance.lock')) : null;
    } catch {
      return null;
    }
  };
  const [la, lb] = [lockOf(dirA), lockOf(dirB)];
  if (!la && !lb) return null;
  const d = await packageDiff(la?.packages ?? [], lb?.packages ?? [], (x, y) => debianVersionNewer(x, y));
  return { ...d, release: { a: la?.release ?? null, b: lb?.release ?? null } };
}

export async function compareBuilds(engine: Engine, aId: number, bId: number): Promise<BuildComparison> {
  const store = engine.store();
  const a = store.getBuild(aId);
  const b = store.getBuild(bId);
  if (!a) throw new EngineError('not-found', `no build #${aId}`);
  if (!b) throw new EngineError('not-found', `no build #${bId}`);
  const [sa, sb] = await Promise.all([side(engine, a), side(engine, b)]);
  const { files, unchanged } = fileListDiff(sa.files, sb.files);
  const appliances = a.appliance === b.appliance ? [a.appliance] : [a.appliance, b.appliance];
  const history = appliances
    .flatMap((name) => store.listBuilds({ appliance: name, limit: HISTORY_LIMIT }))
    .filter((x) => x.status === 'succeeded')
    .sort((x, y) => x.id - y.id)
    .map((x) => ({ id: x.id, version: x.version, durationMs: x.durationMs, bytes: x.bytes, status: x.status }));
  const packages = await packageChanges(buildDirOf(a), buildDirOf(b));
  return { a: sa.side, b: sb.side, specDiff: lineDiff(specText(a), specText(b)), ...(packages ? { packages } : {}), files, unchangedFiles: unchanged, history };
}
