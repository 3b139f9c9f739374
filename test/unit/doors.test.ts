import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf } from '../support/imports';

// Only src-main/tools (one small wrapper per program) and src-main/vm (qemu) start external
// programs: everything else asks them. A new `execa` or child_process import elsewhere fails here.
const ROOT = path.resolve(__dirname, '../..');
const DOORS = ['src-main/tools/', 'src-main/vm/'];
const PROCESS_MODULES = new Set(['execa', 'node:child_process', 'child_process', 'node-pty']);

function engineFiles(): string[] {
  return fs
    .readdirSync(path.join(ROOT, 'src-main'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)).split(path.sep).join('/'));
}

export function programStarters(files: string[], read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8')): string[] {
  return files
    .filter((f) => !DOORS.some((d) => f.startsWith(d)))
    .flatMap((f) => importsOf(read(f)).filter((s) => PROCESS_MODULES.has(s)).map((s) => `${f} imports ${s}`));
}

describe('doors', () => {
  it('only src-main/tools and src-main/vm import execa, child_process or node-pty', () => {
    expect(programStarters(engineFiles())).toEqual([]);
  });

  it('catches a program started from outside the doors', () => {
    const text: Record<string, string> = {
      'src-main/build/hooks.ts': "import { execa } from 'execa';",
      'src-main/api/open.ts': "import { spawn } from 'node:child_process';",
      'src-main/jobs/x.ts': "const cp = require('child_process');",
      'src-main/tools/run.ts': "import { execa } from 'execa';",
      'src-main/vm/qemu-process.ts': "import { execa } from 'execa';",
    };
    expect(programStarters(Object.keys(text), (f) => text[f])).toEqual([
      'src-main/build/hooks.ts imports execa',
      'src-main/api/open.ts imports node:child_process',
      'src-main/jobs/x.ts imports child_process',
    ]);
  });

  it('package.json has no dependency nothing imports: node-pty is gone', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    expect({ ...pkg.dependencies, ...pkg.devDependencies }).not.toHaveProperty('node-pty');
  });
});
