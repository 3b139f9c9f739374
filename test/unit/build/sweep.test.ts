// Issue 15 item 9: <home>/tmp/build-* work folders of killed builds were never swept (443 MB
// after 13 kills), and a tool child (zstd -T0) outlived its engine.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import { sweepDeadBuildWork } from '../../../src-main/build/sweep';

/** A pid that just died (its process ran `true`). */
function deadPid(): number {
  const r = spawnSync('/bin/sh', ['-c', 'echo $$']);
  return Number(String(r.stdout).trim());
}

function workDir(home: string, pid: number): string {
  const d = path.join(home, 'tmp', `build-${pid}-abc${Math.random().toString(36).slice(2, 6)}`);
  fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(d, 'os.raw'), 'half a disk');
  return d;
}

describe('sweeping what a killed Yoke left', () => {
  it('removes build work folders of dead processes only', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-sweep-'));
    const live = spawn('/bin/sleep', ['30']);
    const dead = workDir(home, deadPid());
    const mine = workDir(home, process.pid);
    const other = workDir(home, live.pid!);
    fs.mkdirSync(path.join(home, 'tmp', 'not-a-build'));
    expect(await sweepDeadBuildWork(home)).toEqual([dead]);
    live.kill();
    expect(fs.existsSync(dead)).toBe(false);
    for (const kept of [mine, other, path.join(home, 'tmp', 'not-a-build')]) expect(fs.existsSync(kept)).toBe(true);
    fs.rmSync(home, { recursive: true });
  });

  it('happens when an engine starts', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-sweep-'));
    const dead = workDir(home, deadPid());
    const engine = new Engine({ home, face: 'cli' });
    for (let i = 0; i < 100 && fs.existsSync(dead); i++) await new Promise((r) => setTimeout(r, 10));
    expect(fs.existsSync(dead)).toBe(false);
    await engine.close();
    fs.rmSync(home, { recursive: true });
  });

  it('a tool the engine runs dies with it, even on SIGKILL', async () => {
    const JITI = path.resolve('node_modules/jiti/lib/jiti-cli.mjs');
    const marker = `${200 + Math.floor(Math.random() * 90)}.${Math.floor(Math.random() * 1000)}`; // a sleep length no one else uses
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-orphan-')), 'child.ts');
    fs.writeFileSync(
      script,
      `import { runTool } from ${JSON.stringify(path.resolve('src-main/tools/run.ts'))};\nvoid runTool({ tool: 'sleep', aptPackage: 'coreutils', argv: [${JSON.stringify(marker)}] });\nsetTimeout(() => process.stdout.write('started\\n'), 300);\nsetInterval(() => undefined, 1 << 30);\n`,
    );
    const child = spawn(process.execPath, [JITI, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
    const sleeps = () => spawnSync('pgrep', ['-f', `/sleep ${marker.replace('.', '\\.')}$`]).stdout.toString().trim();
    const running = sleeps();
    child.kill('SIGKILL');
    expect(running).not.toBe('');
    let left = sleeps();
    for (let i = 0; i < 100 && left; i++) {
      await new Promise((r) => setTimeout(r, 20));
      left = sleeps();
    }
    expect(left).toBe('');
    fs.rmSync(path.dirname(script), { recursive: true });
  });
});
