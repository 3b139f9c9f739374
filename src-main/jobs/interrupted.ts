// "Interrupted" is a state, checked against the thing itself: a build or run recorded as running
// whose process no longer exists is marked interrupted (with when), and what it half wrote goes.
import fs from 'node:fs';
import path from 'node:path';
import type { Store } from '../store/store';
import { qemuAlive } from '../vm/reaper';

/** Whether `pid` is a live Yoke process (node or electron), not just any process that reused the number. */
export function isYokeProcess(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to someone else, which a Yoke of ours would not.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => /(^|\/)(node|electron|yoke)([.\w-]*)$/i.test(a) || /yoke/i.test(a));
  } catch {
    // No /proc (macOS, Windows): a live pid is the best we can know.
    return process.platform !== 'linux';
  }
}

export interface SweepReport {
  builds: number[];
  runs: number[];
  vms: string[];
  removed: string[];
}



/** Half-written files of a build whose process died: its reserved folder and the staging folder beside it. */
function buildLeftovers(buildDir: string): string[] {
  const parent = path.dirname(buildDir);
  const prefix = `.${path.basename(buildDir)}.partial-`;
  let siblings: string[] = [];
  try {
    siblings = fs.readdirSync(parent).filter((n) => n.startsWith(prefix)).map((n) => path.join(parent, n));
  } catch {
    // the appliance's builds folder was never made
  }
  return [buildDir, ...siblings].filter((p) => fs.existsSync(p));
}

/** Disk copies an upgrade or test run makes for itself (its logs stay: they tell what happened). */
const RUN_SCRATCH = ['data.raw', 'os.raw'];

export function sweepInterrupted(home: string, store: Store, alive: (pid: number) => boolean = isYokeProcess): SweepReport {
  const r = store.markInterrupted(alive);
  const removed: string[] = [];
  for (const b of r.builds) {
    for (const p of b.buildDir ? buildLeftovers(b.buildDir) : []) {
      fs.rmSync(p, { recursive: true, force: true });
      removed.push(p);
    }
  }
  for (const id of r.testRuns) {
    for (const name of RUN_SCRATCH) {
      const p = path.join(home, 'runs', String(id), name);
      if (fs.existsSync(p)) {
        fs.rmSync(p, { force: true });
        removed.push(p);
      }
    }
  }
  // VMs whose qemu is gone (the reaper kills live strays of dead owners; this records the rest).
  const vms = store.listVms({ status: 'running' }).filter((v) => !qemuAlive(v.pid, v.id));
  for (const v of vms) store.updateVm(v.id, { status: 'interrupted' });
  return { builds: r.builds.map((b) => b.id), runs: r.testRuns, vms: vms.map((v) => v.id), removed };
}
