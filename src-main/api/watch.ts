import fs from 'node:fs';
import path from 'node:path';
import type { ApplianceSummary } from './contract';
import type { ApiContext as Engine } from './context';
import { EngineError } from './errors';
import { loadSpec, summarizeSpec } from '../spec/load';
import { isIgnoredChange } from '../spec/editor-droppings';

/** Editors save in bursts (write temp, rename, chmod): one re-validation per burst. */
export const WATCH_DEBOUNCE_MS = 200;

interface Watch {
  watcher: fs.FSWatcher;
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
    engine.emit('appliance.changed', { dir, summary: summarize(dir) });
  };
  // Node 20 supports recursive watches on Linux, macOS and Windows. persistent:false: a watch
  // must never keep `yoke` alive on its own.
  const watcher = fs.watch(dir, { recursive: true, persistent: false }, (_event, file) => {
    if (isIgnoredChange(file === null ? null : String(file))) return;
    if (w.timer) clearTimeout(w.timer);
    w.timer = setTimeout(fire, WATCH_DEBOUNCE_MS);
  });
  // A folder deleted or unmounted while watched: report it as a summary with its problem, once.
  watcher.on('error', () => {
    stop(all, dir);
    engine.emit('appliance.changed', { dir, summary: summarize(dir) });
  });
  const w: Watch = { watcher, refs: 1, timer: null };
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

/** For tests and shutdown: which folders are watched now. */
export function watchedFolders(engine: Engine): string[] {
  return [...watches(engine).keys()];
}

export function unwatchAll(engine: Engine): void {
  const all = watches(engine);
  for (const dir of [...all.keys()]) stop(all, dir);
}
