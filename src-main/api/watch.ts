import fs from 'node:fs';
import path from 'node:path';
import type { ApplianceSummary } from './contract';
import type { ApiContext as Engine } from './context';
import { EngineError } from './errors';
import { loadSpec, summarizeSpec } from '../spec/load';
import { isIgnoredChange } from '../spec/editor-droppings';
import { SPEC_FILE } from '../spec/read';

/** Editors save in bursts (write temp, rename, chmod): one re-validation per burst. */
export const WATCH_DEBOUNCE_MS = 200;

/**
 * A recursive watch costs one inotify watch (and memory) per folder and a walk of the whole tree
 * before it answers: on /usr that took 4.3 s and 427 MB. Only an appliance folder (one holding
 * appliance.yaml) of at most this many folders is watched recursively; anything else gets a
 * shallow watch of the folder itself, which still notices appliance.yaml appearing or changing.
 */
export const MAX_WATCH_FOLDERS = 2000;

export type WatchMode = 'recursive' | 'shallow';

/** True when `dir` has at most `limit` folders below it (stops counting past the limit). */
function smallTree(dir: string, limit: number): boolean {
  let count = 0;
  const queue = [dir];
  while (queue.length) {
    const here = queue.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(here, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      if (++count > limit) return false;
      queue.push(path.join(here, e.name));
    }
  }
  return true;
}

export function watchModeFor(dir: string, limit = MAX_WATCH_FOLDERS): WatchMode {
  return fs.existsSync(path.join(dir, SPEC_FILE)) && smallTree(dir, limit) ? 'recursive' : 'shallow';
}

interface Watch {
  watcher: fs.FSWatcher;
  mode: WatchMode;
  /** Every face that asked (a window, a browser tab); the watch ends when the last one leaves. */
  refs: number;
  timer: NodeJS.Timeout | null;
}

// Per engine, so two engines in one process (tests) never share watches.
const watchesOf = new WeakMap<Engine, Map<string, Watch>>();

function watches(engine: Engine): Map<string, Watch> {
  let m = watchesOf.get(engine);
  if (!m) watchesOf.set(engine, (m = new Map()));
  return m;
}

export { isIgnoredChange } from '../spec/editor-droppings';

export function summarize(dir: string): ApplianceSummary {
  return summarizeSpec(loadSpec(dir));
}

/**
 * Starts (or joins) a recursive watch of an appliance folder and answers its current summary.
 * Each burst of changes re-validates the spec and emits `appliance.changed`.
 */
export function watchAppliance(engine: Engine, dirIn: string): ApplianceSummary {
  const dir = path.resolve(dirIn);
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch {
    throw new EngineError('not-found', `Cannot watch ${dir}: no such folder.`);
  }
  if (!st.isDirectory()) throw new EngineError('invalid-request', `Cannot watch ${dir}: it is not a folder.`);
  const all = watches(engine);
  const existing = all.get(dir);
  if (existing) {
    existing.refs++;
    return summarize(dir);
  }
  const fire = () => {
    w.timer = null;
    if (!all.has(dir)) return;
    // A folder that became an appliance (its appliance.yaml was just written) is now watched whole.
    if (w.mode === 'shallow' && watchModeFor(dir) === 'recursive') {
      w.watcher.close();
      w.mode = 'recursive';
      w.watcher = startWatcher('recursive');
    }
    engine.emit('appliance.changed', { dir, summary: summarize(dir) });
  };
  const startWatcher = (mode: WatchMode) => {
    // Node 20 supports recursive watches on Linux, macOS and Windows. persistent:false: a watch
    // must never keep `yoke` alive on its own.
    const watcher = fs.watch(dir, { recursive: mode === 'recursive', persistent: false }, (_event, file) => {
      if (isIgnoredChange(file === null ? null : String(file))) return;
      if (w.timer) clearTimeout(w.timer);
      w.timer = setTimeout(fire, WATCH_DEBOUNCE_MS);
    });
    // A folder deleted or unmounted while watched: report it as a summary with its problem, once.
    watcher.on('error', () => {
      stop(all, dir);
      engine.emit('appliance.changed', { dir, summary: summarize(dir) });
    });
    return watcher;
  };
  const mode = watchModeFor(dir);
  const w: Watch = { watcher: null as unknown as fs.FSWatcher, mode, refs: 1, timer: null };
  w.watcher = startWatcher(mode);
  all.set(dir, w);
  return summarize(dir);
}

function stop(all: Map<string, Watch>, dir: string): void {
  const w = all.get(dir);
  if (!w) return;
  if (w.timer) clearTimeout(w.timer);
  w.watcher.close();
  all.delete(dir);
}

export function unwatchAppliance(engine: Engine, dirIn: string): Record<string, never> {
  const dir = path.resolve(dirIn);
  const all = watches(engine);
  const w = all.get(dir);
  if (w && --w.refs <= 0) stop(all, dir);
  return {};
}

/** For tests: how a folder is watched now. */
export function watchModeOf(engine: Engine, dirIn: string): WatchMode | undefined {
  return watches(engine).get(path.resolve(dirIn))?.mode;
}

/** For tests and shutdown: which folders are watched now. */
export function watchedFolders(engine: Engine): string[] {
  return [...watches(engine).keys()];
}

export function unwatchAll(engine: Engine): void {
  const all = watches(engine);
  for (const dir of [...all.keys()]) stop(all, dir);
}
