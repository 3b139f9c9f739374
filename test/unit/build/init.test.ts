import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONTROL_FLAG, generateFstab, generateInit, generateShutdown, shQuote } from '../../../src-main/build/init';

const input = {
  name: 'hello-web',
  version: '1.0.0',
  services: [
    { name: 'db', run: "redis-server --bind '127.0.0.1'" },
    { name: 'web', run: 'httpd -f -p 80 -h /srv/www' },
  ],
  modules: ['/lib/modules/6.1/kernel/drivers/virtio/virtio_ring.ko', '/lib/modules/6.1/kernel/drivers/virtio/virtio.ko'],
};

describe('generated init', () => {
  const init = generateInit(input);

  it('is valid sh', () => {
    execFileSync('sh', ['-n', '-c', init]);
    execFileSync('sh', ['-n', '-c', generateShutdown()]);
  });

  it('opens a root shell on the serial console unless the spec says vm.console: none', () => {
    expect(init).toMatch(/cttyhack sh -l <\/dev\/console/);
    // Not an `&` list: that starts the shell with SIGINT ignored, and Ctrl-C would do nothing.
    expect(init).toMatch(/^start-stop-daemon -S -b .*cttyhack sh -l/m);
    expect(generateInit({ ...input, consoleShell: false })).not.toMatch(/cttyhack/);
  });

  it('mounts the kernel filesystems before anything else', () => {
    const at = (s: string) => init.indexOf(s);
    expect(at('mount -t proc proc /proc')).toBeGreaterThan(0);
    expect(at('mount -t devtmpfs devtmpfs /dev')).toBeLessThan(at('insmod'));
  });

  it('loads modules in the given order', () => {
    expect(init.indexOf('virtio_ring.ko')).toBeLessThan(init.indexOf('virtio.ko ||'));
  });

  it('starts services in order, each under a supervisor with doubling backoff capped at 30 s', () => {
    expect(init.indexOf("supervise 'db'")).toBeLessThan(init.indexOf("supervise 'web'"));
    expect(init).toContain(`supervise 'db' 'redis-server --bind '\\''127.0.0.1'\\''' &`);
    expect(init).toContain('log "service $name exited with $rc, restarting in ${delay}s"');
    expect(init).toContain('[ $delay -gt 30 ] && delay=30');
    expect(init.indexOf('log "services started"')).toBeLessThan(init.indexOf('log "ready after'));
  });

  it('opens the control shell only with the kernel flag', () => {
    expect(CONTROL_FLAG).toBe('yoke.control=1');
    expect(init).toMatch(/if grep -qw 'yoke\.control=1' \/proc\/cmdline; then\n.*\/dev\/ttyS1/);
  });

  it('is the same text for the same input', () => {
    expect(generateInit(input)).toBe(init);
  });

  it('mounts the data disk by label through fstab', () => {
    expect(generateFstab({ label: 'data', mount: '/data' })).toMatch(/\nLABEL=data\t\/data\text4\tdefaults\t0\t2\n$/);
    expect(generateFstab(null)).not.toContain('LABEL=');
    expect(init).toContain('</etc/fstab');
  });

  it('shuts services down last-started first, then unmounts and powers off', () => {
    const s = generateShutdown();
    expect(s).toContain('order="$s $order"');
    expect(s.indexOf('kill -TERM')).toBeLessThan(s.indexOf('umount'));
    expect(s.trim().endsWith('poweroff -f')).toBe(true);
    expect(shQuote("a'b")).toBe(`'a'\\''b'`);
  });
});

describe('generated init, run for real by busybox sh', () => {
  it('restarts a service that exits and logs each restart with doubling delays', () => {
    // Just the supervisor, in a scratch dir, with sleeps skipped and a service that exits at once.
    const init = generateInit({ ...input, services: [] });
    const fn = init.slice(init.indexOf('supervise() {'), init.indexOf('\ncd /'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-init-'));
    fs.mkdirSync(path.join(dir, 'services'));
    const script = [
      'log() { echo "yoke: $*"; }',
      'sleep() { :; }',
      fn.replace(/\/run\/yoke/g, dir),
      `supervise flaky "sh -c 'exit 7'" >${dir}/out 2>&1 &`,
      'p=$!',
      // With sleep stubbed out the supervisor spins: it must never outlive this script (a timeout).
      "trap 'kill $p 2>/dev/null' EXIT TERM",
      `n=0; while [ "\${n:-0}" -lt 4 ]; do /bin/sleep 0.02; n=$(grep -c restarting ${dir}/out 2>/dev/null); done`,
      'kill $p',
    ].join('\n');
    execFileSync('/bin/busybox', ['sh', '-c', script], { timeout: 20_000 });
    const out = fs.readFileSync(path.join(dir, 'out'), 'utf8');
    for (const d of [1, 2, 4, 8]) expect(out).toContain(`yoke: service flaky exited with 7, restarting in ${d}s`);
  });

  // Issue 15 item 7: `exec $cmd` ran only the first command of "a; b; c", then crash-looped.
  it('runs the whole run line as a /bin/sh command line, records exits, and stops the whole line', () => {
    const init = generateInit({ ...input, services: [] });
    const fn = init.slice(init.indexOf('supervise() {'), init.indexOf('\ncd /'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-init-'));
    fs.mkdirSync(path.join(dir, 'services'));
    const line = `echo one >${dir}/one; echo two >${dir}/two; sleep 1000`;
    const script = [
      'log() { echo "yoke: $*"; }',
      fn.replace(/\/run\/yoke/g, dir),
      `supervise multi ${shQuote(line)} >${dir}/out 2>&1 &`,
      `n=0; while [ ! -s ${dir}/two ] && [ $n -lt 100 ]; do /bin/sleep 0.05; n=$((n+1)); done`,
      `/bin/sleep 0.3; p=$(cat ${dir}/services/multi.pid)`,
      // The recorded pid leads its own process group: killing the group stops `sleep 1000` too.
      'echo "pgid $(cut -d" " -f5 /proc/$p/stat) pid $p exits $(cat ' + dir + '/services/multi.exits)"',
      `touch ${dir}/stopping; kill -TERM -$p; /bin/sleep 0.3; kill -0 $p 2>/dev/null && echo still-alive || echo stopped`,
    ].join('\n');
    const out = execFileSync('/bin/busybox', ['sh', '-c', script], { timeout: 20_000, encoding: 'utf8' });
    expect(fs.readFileSync(path.join(dir, 'one'), 'utf8')).toBe('one\n');
    expect(fs.readFileSync(path.join(dir, 'two'), 'utf8')).toBe('two\n');
    const m = /pgid (\d+) pid (\d+) exits 0 -/.exec(out);
    expect(m, out).not.toBeNull();
    expect(m![1]).toBe(m![2]);
    expect(out).toContain('stopped');
    expect(fs.readFileSync(path.join(dir, 'out'), 'utf8')).not.toContain('exited');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts every exit of a crash-looping service with its status', () => {
    const init = generateInit({ ...input, services: [] });
    const fn = init.slice(init.indexOf('supervise() {'), init.indexOf('\ncd /'));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-init-'));
    fs.mkdirSync(path.join(dir, 'services'));
    const script = [
      'log() { echo "yoke: $*"; }',
      'sleep() { :; }',
      fn.replace(/\/run\/yoke/g, dir),
      `supervise broken '/nonexistent/daemon --flag' >${dir}/out 2>&1 &`,
      'p=$!',
      `n=0; while [ "\${n:-0}" -lt 3 ]; do /bin/sleep 0.02; read n r <${dir}/services/broken.exits; done`,
      'kill $p',
      `cat ${dir}/services/broken.exits`,
    ].join('\n');
    const out = execFileSync('/bin/busybox', ['sh', '-c', script], { timeout: 20_000, encoding: 'utf8' });
    expect(out).toMatch(/^\d+ 127$/m);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
