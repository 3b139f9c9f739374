// `yoke test` against real appliances booted in qemu (TCG here): all checks passing, a service
// that exits at once, a command that never returns, two tests of one build at once, and the
// engine killed with SIGKILL mid-test.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { qemuOf, rawOnly, sampleVariant, startYoke, yoke } from './cli-harness';

async function until<T>(what: string, fn: () => T | undefined | null | false, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('yoke test (CLI, real qemu)', () => {
  let home: string;
  let sample: string;
  beforeAll(async () => {
    home = await makeTestHome('yoke-cli-test-');
    sample = sampleVariant(rawOnly, 'hello-web');
  });
  afterAll(() => {
    expect(qemuOf(home)).toEqual([]);
    removeTestHomes();
  });

  it('boots the sample, passes every check, writes JUnit and leaves nothing running', async () => {
    const junit = path.join(home, 'junit.xml');
    const r = await yoke(['test', sample, '--json', '--junit', junit], { home });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.build).toMatchObject({ appliance: 'hello-web', status: 'succeeded' });
    expect(doc.checks).toHaveLength(6);
    for (const c of doc.checks) {
      expect(c.status, `${c.name}: ${c.message}`).toBe('passed');
      expect(Object.keys(c).sort()).toEqual(['durationMs', 'kind', 'line', 'message', 'name', 'status']);
    }
    const names = doc.checks.map((c: { name: string }) => c.name).join(' | ');
    for (const fragment of ['web', '80', '/data', '/srv/www/index.html', 'cat /proc/cpuinfo']) expect(names).toContain(fragment);
    const xml = fs.readFileSync(junit, 'utf8');
    expect(xml).toMatch(/<testsuite [^>]*tests="6"[^>]*failures="0"/);
    expect(fs.readFileSync(doc.consoleLog, 'utf8')).toMatch(/yoke: ready/);
    expect(fs.statSync(doc.screenshot).size).toBeGreaterThan(100);
    expect(qemuOf(home)).toEqual([]);
  });

  it('a service that exits at once fails its check by name while the others pass', async () => {
    const dir = sampleVariant(
      (y) =>
        rawOnly(y)
          .replace('services:\n', 'services:\n  - name: crasher\n    run: sh -c "exit 3"\n')
          .replace('checks:\n', 'checks:\n  - service: crasher\n    timeout: 4s\n'),
      'crashy',
    );
    const r = await yoke(['test', dir, '--json'], { home });
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.stdout).checks as { name: string; status: string; message: string }[];
    const crasher = checks.find((c) => c.name.includes('crasher'))!;
    expect(crasher.status).toBe('failed');
    expect(crasher.message).toMatch(/crasher/);
    expect(checks.filter((c) => c !== crasher).every((c) => c.status === 'passed')).toBe(true);
    expect(r.stderr).toMatch(/1 failed/);
  });

  it('a command that never returns fails at its timeout and nothing is left running', async () => {
    const dir = sampleVariant((y) => rawOnly(y).replace('checks:\n', 'checks:\n  - command: { run: "sleep 1000" }\n    name: hangs\n    timeout: 3s\n'), 'hangs');
    const r = await yoke(['test', dir, '--json'], { home });
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.stdout).checks as { name: string; status: string; message: string }[];
    const hang = checks.find((c) => c.name === 'hangs')!;
    expect(hang.status).toBe('failed');
    expect(hang.message).toMatch(/time|3(\.0)? s/i);
    expect(checks.filter((c) => c !== hang).every((c) => c.status === 'passed')).toBe(true);
    expect(qemuOf(home)).toEqual([]);
  });

  it('two tests of the same build at once both pass on their own VMs', async () => {
    const built = await yoke(['build', sample, '--json'], { home });
    const id = JSON.parse(built.stdout).build.id;
    const [a, b] = await Promise.all([yoke(['test', '--build', String(id), '--json'], { home }), yoke(['test', '--build', String(id), '--json'], { home })]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(JSON.parse(a.stdout).checks.every((c: { status: string }) => c.status === 'passed')).toBe(true);
    expect(JSON.parse(b.stdout).checks.every((c: { status: string }) => c.status === 'passed')).toBe(true);
  });

  it('no qemu survives the engine being killed with SIGKILL mid-test', async () => {
    const before = new Set(fs.existsSync(path.join(home, 'vms')) ? fs.readdirSync(path.join(home, 'vms')) : []);
    const run = startYoke(['test', sample], { home });
    const vmid = await until('the test VM to start', () => {
      const now = fs.existsSync(path.join(home, 'vms')) ? fs.readdirSync(path.join(home, 'vms')) : [];
      return now.find((v) => !before.has(v) && fs.existsSync(path.join(home, 'vms', v, 'qemu.pid')));
    });
    await until('qemu to run', () => qemuOf(home).length > 0);
    run.proc.kill('SIGKILL');
    await run.done;
    await until('qemu to die with its parent', () => qemuOf(home).length === 0, 10_000);
    // The next Yoke that boots something reaps the leftovers and marks the VM interrupted.
    const r = await yoke(['test', sample, '--json'], { home });
    expect(r.code, r.stderr).toBe(0);
    const vm = JSON.parse(fs.readFileSync(path.join(home, 'vms', vmid, 'vm.json'), 'utf8'));
    expect(['interrupted', 'stopped']).toContain(vm.status);
  });

  it('qemu missing gives one clear error and exit 1', async () => {
    const bin = fs.mkdtempSync(path.join(home, 'bin-'));
    for (const tool of ['cp', 'setpriv']) {
      const found = ['/usr/bin', '/bin'].map((d) => path.join(d, tool)).find((p) => fs.existsSync(p));
      if (found) fs.symlinkSync(found, path.join(bin, tool));
    }
    const built = await yoke(['build', sample, '--json'], { home });
    const id = JSON.parse(built.stdout).build.id;
    const r = await yoke(['test', '--build', String(id)], { home, env: { PATH: bin } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/qemu/i);
    expect(r.stderr).toMatch(/apt-get install|not installed|not found/i);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
