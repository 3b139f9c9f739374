// Parent/child links and releases among the builds of one appliance. The store keeps parent_id
// (set by the build job to the previous succeeded build); these helpers answer the questions
// `yoke release` and `yoke upgrade-test` ask of it.
import type { BuildSummary } from '../api/contract';
import type { BuildRecord, Store } from '../store/store';
import { EngineError } from '../api/errors';
import path from 'node:path';
import { readLock, type DebianLock } from '../build/bases/debian-lock';

export interface BuildLinks {
  id: number;
  appliance: string;
  version: string;
  status: string;
  released: boolean;
  parentId: number | null;
  children: number[];
}

/** The builds whose parent is this one, oldest first. */
export function childrenOf(store: Store, b: BuildRecord): number[] {
  return store
    .listBuilds({ appliance: b.appliance })
    .filter((s) => s.id !== b.id && store.getBuildRecord(s.id)?.parentId === b.id)
    .map((s) => s.id)
    .sort((x, y) => x - y);
}

export function buildLinks(store: Store, id: number): BuildLinks {
  const b = store.getBuildRecord(id);
  if (!b) throw new EngineError('not-found', `There is no build #${id}. List builds with \`yoke build\` output or the history screen.`);
  return { id: b.id, appliance: b.appliance, version: b.version, status: b.status, released: b.released, parentId: b.parentId, children: childrenOf(store, b) };
}

/** Marks a build released (or not); only a succeeded build can be released. */
export function setRelease(store: Store, id: number, released: boolean): BuildLinks {
  const b = store.getBuildRecord(id);
  if (!b) throw new EngineError('not-found', `There is no build #${id}.`);
  if (released && b.status !== 'succeeded') throw new EngineError('failed', `Build #${id} ${b.status}; only a succeeded build can be released.`);
  store.setReleased(id, released);
  return buildLinks(store, id);
}

/** Released, succeeded builds of an appliance, oldest first (the order an upgrade matrix reads). */
export function releasedBuilds(store: Store, appliance: string): BuildSummary[] {
  return store
    .listBuilds({ appliance })
    .filter((b) => b.released && b.status === 'succeeded')
    .reverse();
}

/**
 * The OLD builds named by `--from`: build numbers (`7`, `#7`, `3,7`), a version (its newest succeeded
 * build), or `released` (every released build). Never the NEW build itself.
 */
export function resolveFrom(store: Store, appliance: string, from: string, exclude?: number): BuildRecord[] {
  const all = store.listBuilds({ appliance }).filter((b) => b.id !== exclude);
  if (/^#?\d+(,#?\d+)*$/.test(from.trim())) {
    return from.trim().split(',').map((part) => {
      const id = Number(part.replace('#', ''));
      const b = store.getBuildRecord(id);
      if (!b) throw new EngineError('invalid-request', `--from ${from}: there is no build #${id}.`);
      if (b.appliance !== appliance) throw new EngineError('invalid-request', `--from ${from}: build #${b.id} is of ${b.appliance}, not ${appliance}.`);
      if (b.status !== 'succeeded') throw new EngineError('invalid-request', `--from ${from}: build #${b.id} ${b.status}; only a succeeded build can be upgraded from.`);
      return b;
    });
  }
  if (from === 'released') {
    const rel = all.filter((b) => b.released && b.status === 'succeeded').reverse();
    if (rel.length === 0) throw new EngineError('invalid-request', `--from released: ${appliance} has no released build. Release one with \`yoke release BUILD\`.`);
    return rel.map((b) => store.getBuildRecord(b.id)!);
  }
  const ofVersion = all.find((b) => b.version === from && b.status === 'succeeded');
  if (!ofVersion) {
    const versions = [...new Set(all.filter((b) => b.status === 'succeeded').map((b) => b.version))];
    throw new EngineError('invalid-request', `--from ${from}: ${appliance} has no succeeded build of version ${from} (built versions: ${versions.join(', ') || 'none'}). Give a version, a build number or "released".`);
  }
  return [store.getBuildRecord(ofVersion.id)!];
}

/**
 * The appliance.lock of every released Debian build, of any appliance: read from its build
 * folder (where the build kept the lock it installed from), else — a build made before builds
 * kept their lock — the folder's current lock, which keeps more rather than less.
 */
export function releasedDebianLocks(store: Store): DebianLock[] {
  const out: DebianLock[] = [];
  for (const s of store.listBuilds()) {
    if (!s.released || s.status !== 'succeeded') continue;
    const b = store.getBuildRecord(s.id);
    for (const dir of [b?.buildDir, b?.dir]) {
      if (!dir) continue;
      try {
        const l = readLock(path.join(dir, 'appliance.lock'));
        if (l) {
          out.push(l);
          break;
        }
      } catch {
        // unreadable: try the next place
      }
    }
  }
  return out;
}
