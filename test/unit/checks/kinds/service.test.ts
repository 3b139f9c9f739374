import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateInit } from '../../../../src-main/build/init';
import { programOf, serviceCommand } from '../../../../src-main/checks/kinds/service';

describe('service', () => {
  it('finds the program a run line starts', () => {
    expect(programOf('httpd -f -p 80')).toBe('httpd');
    expect(programOf('PORT=80 exec /usr/bin/node app.js')).toBe('node');
    expect(programOf('   ')).toBeNull();
  });
  it('checks the pid files init writes, then falls back to the program', () => {
    const cmd = serviceCommand('web', 'httpd -f -p 80');
    expect(cmd).toContain(`f='/run/yoke/services/web.pid'`);
    expect(cmd).toContain(`f='/run/yoke/web.pid'`);
    expect(cmd).toContain('pidof httpd');
    expect(serviceCommand('web')).not.toContain('pidof');
  });
});

/** Runs a probe command with busybox sh on this machine, /run/yoke pointing at `dir`. */
function probe(cmd: string, dir: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('/bin/busybox', ['sh', '-c', cmd.replace(/\/run\/yoke/g, dir)], { timeout: 20_000 }, (err, stdout) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout.trim() });
    });
  });
}

// Issue 15 item 7: a crash-looping service passed its check one run in five under load, because
// the probe judged by the age of whatever pid it found. It now decides from the supervisor's record.
describe('service probe, run by busybox sh against a real supervisor', () => {
  const scratch = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-probe-'));
    fs.mkdirSync(path.join(dir, 'services'));
    return dir;
  };

  it('fails when the supervisor records an exit during the window, even though the pid is old and alive', async () => {
    const dir = scratch();
    const long = spawn('/bin/sleep', ['30']);
    await new Promise((r) => setTimeout(r, 700)); // older than any age threshold
    fs.writeFileSync(path.join(dir, 'services/web.pid'), `${long.pid}\n`);
    fs.writeFileSync(path.join(dir, 'services/web.exits'), '3 1\n');
    const running = probe(serviceCommand('web', 'httpd -f'), dir);
    await new Promise((r) => setTimeout(r, 300));
    fs.writeFileSync(path.join(dir, 'services/web.exits'), '4 1\n');
    const r = await running;
    long.kill();
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/exited within 2 s \(restarting\?\); exits so far: 4, the last with status 1/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes a steady service and never a crash-looping one, whatever moment it looks', async () => {
    const dir = scratch();
    const init = generateInit({ name: 'a', version: '1.0.0', services: [], modules: [] });
    const fn = init.slice(init.indexOf('supervise() {'), init.indexOf('\ncd /')).replace(/\/run\/yoke/g, dir);
    // The flaky one lives 0.9 s (older than the old 0.5 s threshold) and is restarted at once.
    const sup = spawn('/bin/busybox', ['sh', '-c', ['log() { :; }', 'sleep() { /bin/sleep 0.05; }', fn, "supervise steady 'sleep 1000' &", "supervise flaky 'sleep 0.9; exit 3' &", 'wait'].join('\n')], { detached: true });
    try {
      await new Promise((r) => setTimeout(r, 1200));
      const steady = await probe(serviceCommand('steady', 'sleep 1000'), dir);
      expect(steady.code, steady.out).toBe(0);
      expect(steady.out).toMatch(/^runs as pid \d+ \(S.*\), up for 0.5 s with no exit$/);
      for (let i = 0; i < 6; i++) {
        const flaky = await probe(serviceCommand('flaky', 'sleep 0.9; exit 3'), dir);
        expect(flaky.code, flaky.out).not.toBe(0);
        expect(flaky.out).toMatch(/exits so far: \d+, the last with status 3/);
      }
    } finally {
      process.kill(-sup.pid!, 'SIGKILL');
      // Each service leads its own process group (setsid): stop those too.
      for (const f of ['steady', 'flaky']) {
        try {
          process.kill(-Number(fs.readFileSync(path.join(dir, `services/${f}.pid`), 'utf8')), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
