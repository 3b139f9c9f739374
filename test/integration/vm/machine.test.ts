import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Machine } from '../../../src-main/vm/machine';
import { ControlTimeoutError } from '../../../src-main/vm/control';
import { FIXTURE_APPEND, ensureTestKernel, makeDataDisk, makeFixtureInitramfs, makeTestHome, qemuPidsNamed } from './fixture';

describe('Machine on the busybox fixture (TCG)', () => {
  let home: string;
  let m: Machine;
  const logs: string[] = [];

  beforeAll(async () => {
    home = makeTestHome();
    const { kernel } = ensureTestKernel();
    const initrd = makeFixtureInitramfs(path.join(home, 'initrd.cpio'));
    const data = makeDataDisk(path.join(home, 'data.img'), { 'marker': 'from-the-data-disk\n' });
    m = new Machine({
      home,
      kernel,
      initrd,
      append: FIXTURE_APPEND,
      dataDisk: { path: data, format: 'raw', snapshot: true },
      forwards: [{ guest: 80 }],
      control: true,
      memoryMiB: 256,
      log: (level, text) => logs.push(`${level}: ${text}`),
    });
    const t0 = Date.now();
    await m.start();
    await m.waitForConsoleText(/yoke: ready/, 60_000);
    const tReady = Date.now();
    await m.waitForControl(60_000);
    const tControl = Date.now();
    console.log(`[measure] boot to "yoke: ready" ${tReady - t0} ms, to control shell ready ${tControl - t0} ms`);
  });

  afterAll(async () => {
    await m?.kill();
  });

  it('writes its state directory with vm.json and a console log', () => {
    const info = JSON.parse(fs.readFileSync(path.join(home, 'vms', m.vmid, 'vm.json'), 'utf8'));
    expect(info).toMatchObject({ vmid: m.vmid, accel: 'tcg', status: 'running', pid: m.pid, ownerPid: process.pid });
    expect(info.forwards[0].guest).toBe(80);
    expect(info.forwards[0].host).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(home, 'vms', m.vmid, 'console.log'), 'utf8')).toContain('yoke: ready');
    expect(logs.some((l) => l.startsWith('warn') && /TCG/.test(l))).toBe(true);
  });

  it('runs uname -a over the control channel', async () => {
    const r = await m.execute('uname -a');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^Linux .*x86_64/);
    expect(r.stderr).toBe('');
    const t0 = performance.now();
    const n = 10;
    for (let i = 0; i < n; i++) await m.execute('true');
    console.log(`[measure] control command round trip ${((performance.now() - t0) / n).toFixed(1)} ms`);
  });

  it('returns exit codes, stdout and stderr separately', async () => {
    const r = await m.execute('echo out; echo err >&2; exit 3');
    expect(r).toEqual({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    const syntax = await m.execute('if then fi');
    expect(syntax.exitCode).toBe(2);
    expect(syntax.stderr).toMatch(/syntax error/);
  });

  it('carries quotes, markers and binary-ish output intact', async () => {
    const tricky = `printf '%s\\n' "it's \\"quoted\\"" 'YK_1_B' '$((1+1))'; printf '\\001\\002'`;
    const r = await m.execute(tricky);
    expect(r.stdout).toBe(`it's "quoted"\nYK_1_B\n$((1+1))\n\u0001\u0002`);
  });

  it('sends a long command line intact', async () => {
    const long = 'x'.repeat(9000);
    const r = await m.execute(`echo ${long} | wc -c`);
    expect(r.stdout.trim()).toBe('9001');
  });

  it('succeed() returns stdout and throws with stderr on failure', async () => {
    expect(await m.succeed('cat /data/marker')).toBe('from-the-data-disk\n');
    await expect(m.succeed('ls /nonexistent')).rejects.toThrow(/exit code 1[\s\S]*nonexistent/);
  });

  it('interrupts a command that never returns, and the channel works after', async () => {
    const t0 = Date.now();
    await expect(m.execute('sleep 1000', { timeoutMs: 1500 })).rejects.toBeInstanceOf(ControlTimeoutError);
    expect(Date.now() - t0).toBeLessThan(5000);
    const r = await m.execute('echo still here; ps | grep -c "[s]leep 1000"', { timeoutMs: 10_000 });
    expect(r.stdout).toBe('still here\n0\n');
  });

  it('serializes concurrent commands', async () => {
    const rs = await Promise.all([1, 2, 3, 4, 5].map((i) => m.execute(`echo ${i}; sleep 0.0${i}; echo ${i}${i} >&2`)));
    expect(rs.map((r) => r.stdout.trim())).toEqual(['1', '2', '3', '4', '5']);
    expect(rs.map((r) => r.stderr.trim())).toEqual(['11', '22', '33', '44', '55']);
  });

  it('reaches the guest web server through the loopback forward', async () => {
    const port = m.hostPort(80)!;
    let body = '';
    for (let i = 0; i < 50 && !body; i++) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) });
        body = await res.text();
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    expect(body).toBe('hello from the fixture\n');
  });

  it('takes a PNG screenshot', async () => {
    const png = path.join(home, 'shot.png');
    await m.screenshot(png);
    const head = fs.readFileSync(png).subarray(0, 8);
    expect(head.toString('hex')).toBe('89504e470d0a1a0a');
  });

  it('powers down through ACPI and leaves no qemu', async () => {
    expect(await m.stop({ graceMs: 20_000 })).toBe('powerdown');
    expect(m.isRunning).toBe(false);
    expect(qemuPidsNamed(m.vmid)).toEqual([]);
    const info = JSON.parse(fs.readFileSync(path.join(home, 'vms', m.vmid, 'vm.json'), 'utf8'));
    expect(info).toMatchObject({ status: 'stopped', stoppedBy: 'powerdown' });
    expect(fs.existsSync(path.join(home, 'vms', m.vmid, 'qmp.sock'))).toBe(false);
    await expect(m.execute('true')).rejects.toThrow(/control channel is closed/);
  });
});
