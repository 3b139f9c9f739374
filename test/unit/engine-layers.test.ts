import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf } from '../support/imports';

// The engine's layers, checked by a machine (after VS Code's code-layering rule): a folder of
// src-main may import only from its own layer or the layers below it.
//
//   faces   electron, web, cli        the three ways in
//   api     api                       contract, engine, handlers: the one door
//   jobs    jobs                      long work on a narrow context (home, store, emit, jobs, machines)
//   domain  spec build vm checks store host
//   tools   tools                     one door per external program
//   base    util, and api/contract.ts + api/errors.ts: the shared vocabulary every layer speaks
//           (they import nothing but zod and each other, like VS Code's common/)
//
// Within the domain layer folders may use each other; no import circle may exist anywhere
// (type-only imports count), which the second test checks file by file.
//
// Why hand-written: madge and dependency-cruiser parse TypeScript through the TypeScript 5
// compiler API as a peer dependency, and this project is on TypeScript 7; the import list is
// already extracted by importsOf() for the renderer's layering test.

const ROOT = path.resolve(__dirname, '../..');
const SHARED = new Set(['src-main/api/contract.ts', 'src-main/api/errors.ts']);
export const LAYERS: Record<string, number> = {
  electron: 5, web: 5, cli: 5,
  api: 4,
  jobs: 3,
  spec: 2, build: 2, vm: 2, checks: 2, store: 2, host: 2,
  tools: 1,
  util: 0,
};

function layerOf(file: string): { folder: string; rank: number } | null {
  if (SHARED.has(file)) return { folder: 'shared', rank: -1 };
  const m = /^src-main\/([^/]+)\//.exec(file);
  if (!m) return null;
  const rank = LAYERS[m[1]];
  if (rank === undefined) throw new Error(`${file}: the folder src-main/${m[1]} has no layer; add it to LAYERS in ${path.basename(__filename)}`);
  return { folder: m[1], rank };
}

function resolveImport(from: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
  for (const c of [`${base}.ts`, `${base}.tsx`, `${base}/index.ts`, base]) if (fs.existsSync(path.join(ROOT, c)) && fs.statSync(path.join(ROOT, c)).isFile()) return c;
  return null;
}

export function engineFiles(): string[] {
  return fs
    .readdirSync(path.join(ROOT, 'src-main'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

export function importGraph(files: string[], read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8')): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of files) g.set(f, importsOf(read(f)).map((s) => resolveImport(f, s)).filter((t): t is string => t !== null && t.startsWith('src-main/')));
  return g;
}

/** Imports that point up the table (or from the shared vocabulary to anything but itself). */
export function upwardImports(g: Map<string, string[]>): string[] {
  const out: string[] = [];
  for (const [from, tos] of g) {
    const a = layerOf(from);
    if (!a) continue;
    for (const to of tos) {
      const b = layerOf(to);
      if (!b) continue;
      if (a.rank === -1 ? b.rank !== -1 : b.rank > a.rank) out.push(`${from} (${a.folder}) imports ${to} (${b.folder})`);
    }
  }
  return out;
}

/** Every import circle, as the files on it (Tarjan's strongly connected components). */
export function circles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (g.get(v) ?? []).includes(v)) out.push(comp.sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('engine layers', () => {
  const graph = importGraph(engineFiles());

  it('gives every folder of src-main a layer, and no import points up the table', () => {
    for (const f of graph.keys()) layerOf(f);
    expect(upwardImports(graph)).toEqual([]);
  });

  it('has no import circle (type-only imports count)', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('catches an upward import and a circle', () => {
    const g = new Map([
      ['src-main/jobs/a.ts', ['src-main/api/engine.ts']],
      ['src-main/api/engine.ts', ['src-main/jobs/a.ts']],
      ['src-main/api/contract.ts', ['src-main/store/store.ts']],
      ['src-main/store/store.ts', []],
    ]);
    expect(upwardImports(g)).toEqual([
      'src-main/jobs/a.ts (jobs) imports src-main/api/engine.ts (api)',
      'src-main/api/contract.ts (shared) imports src-main/store/store.ts (store)',
    ]);
    expect(circles(g)).toEqual([['src-main/api/engine.ts', 'src-main/jobs/a.ts']]);
  });
});
