// What a killed Yoke leaves behind in its data directory, swept when the next engine starts:
// a build's work folder <home>/tmp/build-<pid>-XXXX (hundreds of MB of half-made disks each)
// whose process is gone. Folders of a live process (another Yoke building right now) are left
// alone; a pid reused by an unrelated process only postpones the sweep to a later start.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** True when a process with this pid exists (EPERM: it exists but is someone else's). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Work folders named `<prefix><pid>-…` in `dir` whose pid is dead. */
function deadWorkDirs(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(\\d+)-`);
  return names.filter((n) => {
    const m = re.exec(n);
    return m !== null && Number(m[1]) !== process.pid && !pidAlive(Number(m[1]));
  }).map((n) => path.join(dir, n));
}

/**
 * Removes the build work folders of dead processes; resolves to what was removed. Cheap when
 * there is nothing to do (one readdir), so every engine start can call it; the removal itself
 * runs off the event loop.
 */
export async function sweepDeadBuildWork(home: string): Promise<string[]> {
  const removed: string[] = [];
  for (const p of deadWorkDirs(path.join(home, 'tmp'), 'build-')) {
    try {
      await fsp.rm(p, { recursive: true, force: true });
      removed.push(p);
    } catch {
      // Not ours to remove after all (permissions): leave it for the person to see.
    }
  }
  return removed;
}
