import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import { CONSOLE_TAIL_BYTES, readTail } from '../../../src-main/api/upgrade-run';

// An upgrade run as upgrade-test.ts leaves it: a test_runs row of kind 'upgrade', its checks with
// phases, and runs/<id>/old-console.log + new-console.log. Opened through the engine's command.
let home: string;
let engine: Engine;

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-upgrade-run-'));
  engine = new Engine({ home, face: 'cli' });
});
afterEach(async () => {
  await engine.close();
  fs.rmSync(home, { recursive: true, force: true });
});

function build(version: string): number {
  const store = engine.store();
  const id = store.createBuild({ appliance: 'hello-web', dir: '/apps/hello-web', version });
  store.finishBuild(id, { status: 'succeeded', durationMs: 1000 });
  return id;
}

function upgradeRun(from: number, to: number, checks: { name: string; kind: string; status: 'passed' | 'failed'; phase: string }[], logs: { old: string; new: string }, method: 'swap' | 'package' = 'package'): number {
  const store = engine.store();
  const runId = store.createTestRun({ buildId: to, kind: 'upgrade', fromBuildId: from, method });
  for (const c of checks) store.addCheckResult(runId, { ...c, message: `${c.name} ${c.status}`, durationMs: 12 });
  const dir = path.join(home, 'runs', String(runId));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'old-console.log'), logs.old);
  fs.writeFileSync(path.join(dir, 'new-console.log'), logs.new);
  store.finishTestRun(runId, { status: checks.every((c) => c.status === 'passed') ? 'passed' : 'failed', consoleLog: path.join(dir, 'new-console.log') });
  return runId;
}

describe('upgrades.run.get', () => {
  it('answers the checks in order with their phases, both consoles and the method', async () => {
    const a = build('1.0.0');
    const b = build('1.1.0');
    const runId = upgradeRun(a, b, [
      { name: 'service web', kind: 'service', status: 'passed', phase: 'old' },
      { name: 'echo keep-me > /data/marker', kind: 'command', status: 'passed', phase: 'seed' },
      { name: 'apply update package', kind: 'update', status: 'passed', phase: 'upgraded' },
      { name: 'service web', kind: 'service', status: 'passed', phase: 'upgraded' },
      { name: 'grep -q keep-me /data/marker', kind: 'command', status: 'failed', phase: 'verify' },
    ], { old: 'old boot\nyoke: ready\n', new: 'new boot\nyoke: ready\n' });

    const r = await engine.request('upgrades.run.get', { runId });
    expect(r.from?.version).toBe('1.0.0');
    expect(r.to.version).toBe('1.1.0');
    expect(r.status).toBe('failed');
    expect(r.method).toBe('package');
    expect(r.checks.map((c) => `${c.phase}:${c.name}:${c.status}`)).toEqual([
      'old:service web:passed',
      'seed:echo keep-me > /data/marker:passed',
      'upgraded:apply update package:passed',
      'upgraded:service web:passed',
      'verify:grep -q keep-me /data/marker:failed',
    ]);
    expect(r.consoleLogs.old).toContain('old boot');
    expect(r.consoleLogs.new).toContain('new boot');
    expect(r.finishedAt).not.toBeNull();
  });

  it('answers the method the run recorded, not one guessed from its steps', async () => {
    // A swap run whose checks include an update-kind step would have been guessed "package" before.
    const runId = upgradeRun(build('1.0.0'), build('1.1.0'), [{ name: 'apply update package', kind: 'update', status: 'passed', phase: 'upgraded' }], { old: '', new: '' }, 'swap');
    expect((await engine.request('upgrades.run.get', { runId })).method).toBe('swap');
  });

  it('refuses an unknown run and a plain test run with a message naming it', async () => {
    await expect(engine.request('upgrades.run.get', { runId: 99 })).rejects.toThrow(/no upgrade run #99/);
    const testRun = engine.store().createTestRun({ buildId: build('1.0.0'), kind: 'test' });
    await expect(engine.request('upgrades.run.get', { runId: testRun })).rejects.toThrow(`no upgrade run #${testRun}`);
  });

  it('gives empty consoles when the run left no files', async () => {
    const store = engine.store();
    const runId = store.createTestRun({ buildId: build('1.1.0'), kind: 'upgrade', fromBuildId: build('1.0.0') });
    const r = await engine.request('upgrades.run.get', { runId });
    expect(r.status).toBe('running');
    expect(r.consoleLogs).toEqual({ old: '', new: '' });
    expect(r.method).toBeUndefined();
  });
});

describe('readTail', () => {
  it('keeps the last 200 KB of a long console, from a whole line', () => {
    const file = path.join(home, 'long.log');
    const lines = Array.from({ length: 30_000 }, (_, i) => `line ${i} ${'x'.repeat(20)}`);
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const t = readTail(file);
    expect(t.truncated).toBe(true);
    expect(Buffer.byteLength(t.text)).toBeLessThanOrEqual(CONSOLE_TAIL_BYTES);
    expect(t.text.startsWith('line ')).toBe(true);
    expect(t.text.endsWith(`line 29999 ${'x'.repeat(20)}\n`)).toBe(true);
  });

  it('keeps a short console whole', () => {
    const file = path.join(home, 'short.log');
    fs.writeFileSync(file, 'yoke: ready\n');
    expect(readTail(file)).toEqual({ text: 'yoke: ready\n', truncated: false });
  });
});
