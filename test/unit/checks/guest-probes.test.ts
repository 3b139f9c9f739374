import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateInit } from '../../../src-main/build/init';
import {
  fileCommand,
  listeningPorts,
  parseMounts,
  programOf,
  readCommand,
  readFile,
  readMount,
  readPort,
  sameMode,
  serviceCommand,
  stdoutMatches,
} from '../../../src-main/checks/guest-probes';

const ok = (stdout: string, exitCode = 0, stderr = '') => ({ stdout, stderr, exitCode });
const base = { name: 'c', timeoutMs: 1000, line: 1 };

const PROC_NET_TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0050 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1234 1 0000000000000000 100 0 0 10 0
   1: 0F02000A:0050 0202000A:D1A2 01 00000000:00000000 00:00000000 00000000     0        0 0 1 0000000000000000 20 4 0 10 -1
   2: 0100007F:1F90 0100007F:C350 06 00000000:00000000 03:00000000 00000000     0        0 0 3 0000000000000000
  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 99 1 0000000000000000 100 0 0 10 0
`;

describe('port', () => {
  it('lists ports in LISTEN state from tcp and tcp6, ignoring other states', () => {
    expect(listeningPorts(PROC_NET_TCP)).toEqual([22, 80]);
  });
  it('passes on a listening port and lists what listens otherwise', () => {
    expect(readPort({ ...base, kind: 'port', port: 22 }, ok(PROC_NET_TCP)).ok).toBe(true);
    expect(readPort({ ...base, kind: 'port', port: 8080 }, ok(PROC_NET_TCP))).toEqual({ ok: false, detail: 'nothing listens on guest TCP port 8080 (listening: 22, 80)' });
  });
});

const MOUNTS = `rootfs / rootfs rw 0 0
proc /proc proc rw,nosuid 0 0
/dev/vdb /data ext4 rw,relatime 0 0
tmpfs /srv/my\\040files tmpfs rw 0 0
`;

describe('mount', () => {
  it('decodes octal escapes in paths', () => {
    expect(parseMounts(MOUNTS).map((m) => m.path)).toEqual(['/', '/proc', '/data', '/srv/my files']);
  });
  it('passes for a mounted path, with or without trailing slash, and checks the type', () => {
    expect(readMount({ ...base, kind: 'mount', path: '/data/' }, ok(MOUNTS))).toEqual({ ok: true, detail: '/data is mounted (ext4 from /dev/vdb)' });
    expect(readMount({ ...base, kind: 'mount', path: '/srv/my files', fstype: 'tmpfs' }, ok(MOUNTS)).ok).toBe(true);
    expect(readMount({ ...base, kind: 'mount', path: '/data', fstype: 'xfs' }, ok(MOUNTS)).detail).toBe('/data is mounted as ext4 from /dev/vdb, expected xfs');
  });
  it('names what is mounted when the path is not', () => {
    expect(readMount({ ...base, kind: 'mount', path: '/backup' }, ok(MOUNTS)).detail).toBe('nothing is mounted on /backup (mounted: /data, /srv/my files)');
  });
});

describe('file', () => {
  const f = { ...base, kind: 'file' as const, path: "/srv/it's.html" };
  it('quotes the path and greps only when asked', () => {
    expect(fileCommand(f)).toBe(`[ -e '/srv/it'\\''s.html' ] || { echo missing; exit 3; }; stat -c '%a %F' '/srv/it'\\''s.html'`);
    expect(fileCommand({ ...f, contains: 'a b' })).toContain(`grep -qF -e 'a b'`);
  });
  it('reads existence, mode and content', () => {
    expect(readFile(f, ok('', 3)).detail).toBe("/srv/it's.html does not exist");
    expect(readFile({ ...f, mode: '0644' }, ok('644 regular file\n'))).toEqual({ ok: true, detail: "/srv/it's.html exists (regular file, mode 0644)" });
    expect(readFile({ ...f, mode: '600' }, ok('644 regular file\n')).detail).toMatch(/but the mode should be 600$/);
    expect(readFile({ ...f, contains: 'hi' }, ok('644 regular file\nlacks\n')).detail).toMatch(/does not contain "hi"$/);
    expect(readFile({ ...f, contains: 'hi' }, ok('644 regular file\ncontains\n')).ok).toBe(true);
  });
  it('compares modes as octal numbers', () => {
    expect(sameMode('0644', '644')).toBe(true);
    expect(sameMode('0o755', '755')).toBe(true);
    expect(sameMode('4755', '4755')).toBe(true);
    expect(sameMode('644', '640')).toBe(false);
    expect(sameMode('rw-', '644')).toBe(false);
  });
});

describe('command', () => {
  const c = { ...base, kind: 'command' as const, run: 'grep -c processor /proc/cpuinfo', exitCode: 0 };
  it('matches trimmed stdout exactly, or a /regex/', () => {
    expect(stdoutMatches('1', ' 1\n')).toBe(true);
    expect(stdoutMatches('1', '12\n')).toBe(false);
    expect(stdoutMatches('/^v\\d+\\./', 'v2.1\n')).toBe(true);
    expect(stdoutMatches('/HELLO/i', 'hello')).toBe(true);
    expect(stdoutMatches('/[/', '[')).toBe(false);
  });
  it('says what it got when the exit code or output is wrong', () => {
    expect(readCommand(c, ok('', 2, 'grep: no such file\n')).detail).toBe('`grep -c processor /proc/cpuinfo` exited with 2, expected 0; stderr "grep: no such file", stdout ""');
    expect(readCommand({ ...c, stdout: '1' }, ok('2\n')).detail).toBe('`grep -c processor /proc/cpuinfo` printed "2", expected "1"');
    expect(readCommand({ ...c, exitCode: 1 }, ok('', 1)).ok).toBe(true);
  });
});

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
    expect(r.out).toMatch(/exited within 1 s \(restarting\?\); exits so far: 4, the last with status 1/);
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
      expect(steady.out).toMatch(/^runs as pid \d+ \(S.*\), up for 1 s with no exit$/);
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
