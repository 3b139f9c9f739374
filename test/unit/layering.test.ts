import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf } from '../support/imports';

// The layers of the architecture, checked by a machine (see design/style.md):
//   (a) the renderer imports nothing from src-main but the contract, and no node: builtins;
//   (b) only src-main/electron/ and src-preload/ import 'electron';
//   (c) the contract imports nothing but zod;
//   (d) raw ipcMain/ipcRenderer appear only in the two files that wrap them.

const ROOT = path.resolve(__dirname, '../..');
const SOURCE_DIRS = ['src-main', 'src-preload', 'src-renderer'];
const CONTRACT = 'src-main/api/contract.ts';
const IPC_FILES = new Set(['src-main/electron/ipc.ts', 'src-preload/index.ts']);
const NODE_BUILTINS = new Set(require('node:module').builtinModules as string[]);

export interface Violation {
  file: string;
  rule: 'renderer-imports-main' | 'renderer-imports-node' | 'electron-outside-shell' | 'contract-imports' | 'raw-ipc';
  detail: string;
}

function isNodeBuiltin(spec: string): boolean {
  return spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]);
}

/** Checks one file, given its path relative to the repository root (posix separators). */
export function checkFile(rel: string, source: string): Violation[] {
  const violations: Violation[] = [];
  const dir = path.posix.dirname(rel);
  for (const spec of importsOf(source)) {
    const target = spec.startsWith('.') ? path.posix.normalize(path.posix.join(dir, spec)) : null;
    if (rel.startsWith('src-renderer/')) {
      if (target?.startsWith('src-main/') && target.replace(/\.ts$/, '') !== CONTRACT.replace(/\.ts$/, '')) {
        violations.push({ file: rel, rule: 'renderer-imports-main', detail: `imports ${spec}` });
      }
      if (target?.startsWith('src-preload/')) violations.push({ file: rel, rule: 'renderer-imports-main', detail: `imports ${spec}` });
      if (isNodeBuiltin(spec)) violations.push({ file: rel, rule: 'renderer-imports-node', detail: `imports ${spec}` });
    }
    if ((spec === 'electron' || spec.startsWith('electron/')) && !rel.startsWith('src-main/electron/') && !rel.startsWith('src-preload/')) {
      violations.push({ file: rel, rule: 'electron-outside-shell', detail: `imports ${spec}` });
    }
    if (rel === CONTRACT && spec !== 'zod') violations.push({ file: rel, rule: 'contract-imports', detail: `imports ${spec}` });
  }
  if (!IPC_FILES.has(rel) && /\bipc(Main|Renderer)\b/.test(source.replace(/\/\/.*$/gm, ''))) {
    violations.push({ file: rel, rule: 'raw-ipc', detail: 'uses ipcMain/ipcRenderer directly; go through src-main/electron/ipc.ts' });
  }
  return violations;
}

function sourceFiles(dir: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs
    .readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|tsx|mts|cts)$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

describe('layering', () => {
  it('holds for every source file', () => {
    const files = SOURCE_DIRS.flatMap(sourceFiles);
    expect(files).toContain(CONTRACT);
    expect(files.some((f) => f.startsWith('src-renderer/'))).toBe(true);
    const violations = files.flatMap((f) => checkFile(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(violations).toEqual([]);
  });

  it('catches a renderer file reaching into the engine or Node', () => {
    const bad = [
      "import { Engine } from '../../src-main/api/engine';",
      "import type { YokeClient } from '../../src-main/api/contract';",
      "import fs from 'node:fs';",
      "const cp = require('child_process');",
    ].join('\n');
    const found = checkFile('src-renderer/features/bad.tsx', bad);
    expect(found.map((v) => [v.rule, v.detail])).toEqual([
      ['renderer-imports-main', 'imports ../../src-main/api/engine'],
      ['renderer-imports-node', 'imports node:fs'],
      ['renderer-imports-node', 'imports child_process'],
    ]);
  });

  it('catches electron outside the shell, raw IPC, and a contract with dependencies', () => {
    expect(checkFile('src-main/build/pipeline.ts', "import { app } from 'electron';").map((v) => v.rule)).toEqual(['electron-outside-shell']);
    expect(checkFile('src-main/electron/window.ts', "import { ipcMain } from 'electron';\nipcMain.handle('x', () => 1);").map((v) => v.rule)).toEqual([
      'raw-ipc',
    ]);
    expect(checkFile(CONTRACT, "import { z } from 'zod';\nimport fs from 'node:fs';").map((v) => v.detail)).toEqual(['imports node:fs']);
    expect(checkFile('src-main/electron/ipc.ts', "import { ipcMain } from 'electron';")).toEqual([]);
  });
});
