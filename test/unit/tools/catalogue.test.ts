import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildToolNames, SETUP_PACKAGES, TOOL_CATALOGUE, toolSpec } from '../../../src-main/tools/catalogue';
import { runTool, ToolMissingError } from '../../../src-main/tools/run';
import { QEMU_BINARY } from '../../../src-main/vm/qemu-process';

// resources/tools.json is the one list of programs: the runner, the build, the doctor and
// setup read it. These tests fail when a program is run without being in it, when setup would
// install something else, or when a second door or PATH walker appears.
const ROOT = path.resolve(__dirname, '../../..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const sources = (dir: string) =>
  fs
    .readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));

/** The programs each wrapper names as `tool: 'NAME'`. */
function wrapperTools(): Map<string, string[]> {
  const byTool = new Map<string, string[]>();
  for (const f of sources('src-main/tools')) {
    for (const m of read(f).matchAll(/\btool: '([^']+)'/g)) byTool.set(m[1], [...(byTool.get(m[1]) ?? []), f]);
  }
  return byTool;
}

describe('the tool catalogue', () => {
  it('names every program a wrapper runs (and qemu), with a package and a purpose', () => {
    const named = [...wrapperTools().keys(), QEMU_BINARY, 'busybox', 'setpriv'];
    for (const t of named) expect(toolSpec(t), `${t} is run but not in resources/tools.json`).toBeDefined();
    for (const t of TOOL_CATALOGUE) {
      expect(t.aptPackage, t.name).toMatch(/^[a-z0-9][a-z0-9.+-]+$/);
      expect(t.purpose.length, t.name).toBeGreaterThan(10);
      if (t.versionPattern) expect(() => new RegExp(t.versionPattern!)).not.toThrow();
    }
    expect(toolSpec('/bin/busybox')?.aptPackage).toBe('busybox-static');
  });

  it('has one door per program: no two wrapper files run the same one (debugfs included)', () => {
    for (const [tool, files] of wrapperTools()) expect(new Set(files).size, `${tool} is run from ${files.join(', ')}`).toBe(1);
    expect(wrapperTools().get('debugfs')).toEqual(expect.arrayContaining(['src-main/tools/debugfs.ts']));
  });

  it('has one PATH walker: only tools/find-executable.ts splits PATH and tests for the execute bit', () => {
    const walkers = sources('src-main').filter((f) => /X_OK/.test(read(f)) && /\bsplit\((':'|path\.delimiter)\)|searchDirs/.test(read(f)));
    expect(walkers).toEqual(['src-main/tools/find-executable.ts']);
  });

  it("is what setup installs: scripts/setup.sh's node snippet prints the catalogue's packages", () => {
    const script = /node -e '([^']+)'/.exec(read('scripts/setup.sh'))![1];
    const printed = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n');
    const want = [...new Set([...TOOL_CATALOGUE.filter((t) => !t.essential).map((t) => t.aptPackage), ...SETUP_PACKAGES.map((s) => s.aptPackage)])];
    expect(printed).toEqual(want);
    expect(printed).toEqual(expect.arrayContaining(['qemu-utils', 'e2fsprogs', 'busybox-static', 'libsodium-dev']));
    expect(printed).not.toContain('coreutils');
  });

  it('gives the build its tool list and the runner its install hint', async () => {
    expect(buildToolNames()).toEqual(expect.arrayContaining(['qemu-img', 'mke2fs', 'debugfs', 'zstd', 'cp']));
    const err = await runTool({ tool: '/nonexistent/mkfs.vfat', argv: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect(err.message).toBe('The program "/nonexistent/mkfs.vfat" is not installed. Install it with: sudo apt-get install dosfstools');
  });
});
