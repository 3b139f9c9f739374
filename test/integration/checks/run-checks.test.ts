import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../../src-main/api/contract';
import { junitXml } from '../../../src-main/checks/junit';
import { runChecks, type CheckState } from '../../../src-main/checks/run-checks';
import type { Check } from '../../../src-main/spec/types';
import { Machine } from '../../../src-main/vm/machine';
import { FIXTURE_APPEND, ensureTestKernel, makeDataDisk, makeFixtureInitramfs, makeTestHome } from '../vm/fixture';

type CheckBody = Check extends infer C ? (C extends Check ? Omit<C, 'name' | 'line' | 'timeoutMs'> : never) : never;
const chk = (name: string, timeoutMs: number, body: CheckBody): Check => ({ name, timeoutMs, line: 1, ...body }) as Check;

const byName = (rs: CheckResult[]) => Object.fromEntries(rs.map((r) => [r.name, r]));

describe('runChecks against the busybox fixture (TCG)', () => {
  let home: string;
  let m: Machine;

  beforeAll(async () => {
    home = makeTestHome('yoke-checks-');
    const { kernel } = ensureTestKernel();
    m = new Machine({
      home,
      kernel,
      initrd: makeFixtureInitramfs(path.join(home, 'initrd.cpio')),
      append: FIXTURE_APPEND,
      dataDisk: { path: makeDataDisk(path.join(home, 'data.img')), format: 'raw', snapshot: true },
      forwards: [{ guest: 80 }],
      control: true,
    });
    await m.start();
    // Deliberately no wait for boot: checks must ride out the boot themselves.
  });

  afterAll(async () => {
    await m?.kill();
  });

  it('passes the checks a healthy appliance passes, with messages saying what was seen', async () => {
    const states: CheckState[] = [];
    const t0 = Date.now();
    const results = await runChecks(
      m,
      [
        chk('web runs', 60_000, { kind: 'service', service: 'web' }),
        chk('listens on 80', 60_000, { kind: 'port', port: 80 }),
        chk('home page', 60_000, { kind: 'http', port: 80, path: '/', status: 200, contains: 'hello' }),
        chk('data mounted', 60_000, { kind: 'mount', path: '/data/', fstype: 'ext4' }),
        chk('index file', 60_000, { kind: 'file', path: '/srv/www/index.html', contains: 'hello' }),
        chk('secret mode', 60_000, { kind: 'file', path: '/etc/secret', mode: '0600' }),
        chk('one cpu', 60_000, { kind: 'command', run: 'cat /proc/cpuinfo | grep -c processor', stdout: '1', exitCode: 0 }),
        chk('kernel name', 60_000, { kind: 'command', run: 'uname -s', stdout: '/^lin/i', exitCode: 0 }),
        chk('exit 3 expected', 60_000, { kind: 'command', run: 'exit 3', exitCode: 3 }),
      ],
      { onCheck: (s) => states.push(s), services: [{ name: 'web', run: 'httpd -f -p 80 -h /srv/www' }] },
    );
    console.log(`[measure] boot + 9 checks passed in ${Date.now() - t0} ms`);
    for (const r of results) expect(r, r.message).toMatchObject({ status: 'passed' });
    const r = byName(results);
    expect(r['web runs'].message).toMatch(/service web runs as pid \d+/);
    expect(r['home page'].message).toMatch(/answered 200 containing "hello"/);
    expect(r['data mounted'].message).toMatch(/\/data is mounted \(ext4 from \/dev\/vda\)/);
    expect(r['secret mode'].message).toMatch(/mode 0600/);
    expect(new Set(states.filter((s) => s.status === 'waiting').map((s) => s.name)).size).toBe(9);
    expect(states.filter((s) => s.status === 'passed')).toHaveLength(9);
    expect(junitXml('fixture', results)).toContain('<testsuite name="fixture" tests="9" failures="0"');
  });

  it('fails broken checks with what was last seen', async () => {
    const results = byName(
      await runChecks(m, [
        chk('no such service', 1500, { kind: 'service', service: 'nope' }),
        chk('closed port', 1500, { kind: 'port', port: 8080 }),
        chk('unforwarded', 30_000, { kind: 'http', port: 81, path: '/', status: 200 }),
        chk('wrong status', 1500, { kind: 'http', port: 80, path: '/missing', status: 200 }),
        chk('wrong text', 1500, { kind: 'http', port: 80, path: '/', status: 200, contains: 'goodbye' }),
        chk('not mounted', 1500, { kind: 'mount', path: '/srv' }),
        chk('wrong fstype', 1500, { kind: 'mount', path: '/data', fstype: 'vfat' }),
        chk('missing file', 1500, { kind: 'file', path: '/etc/nothing' }),
        chk('wrong mode', 1500, { kind: 'file', path: '/etc/secret', mode: '644' }),
        chk('lacks text', 1500, { kind: 'file', path: '/etc/secret', contains: 'bottom' }),
        chk('fails', 1500, { kind: 'command', run: 'ls /nowhere', exitCode: 0 }),
        chk('wrong output', 1500, { kind: 'command', run: 'echo 2', stdout: '1', exitCode: 0 }),
      ]),
    );
    for (const r of Object.values(results)) expect(r.status, r.name).toBe('failed');
    expect(results['no such service'].message).toMatch(/service nope is not running: no pid file for nope/);
    expect(results['closed port'].message).toMatch(/not passed within 1\.5 s \(\d+ tries\); last seen: nothing listens on guest TCP port 8080 \(listening: .*80/);
    expect(results['unforwarded'].message).toMatch(/guest port 81 is not forwarded to the host; add \{ guest: 81 \} to network.forward/);
    expect(results['unforwarded'].durationMs).toBeLessThan(1000);
    expect(results['wrong status'].message).toMatch(/answered 404, expected 200/);
    expect(results['wrong text'].message).toMatch(/body lacks "goodbye" \(body starts "hello from the fixture"\)/);
    expect(results['not mounted'].message).toMatch(/nothing is mounted on \/srv \(mounted: .*\/data/);
    expect(results['wrong fstype'].message).toMatch(/\/data is mounted as ext4 from \/dev\/vda, expected vfat/);
    expect(results['missing file'].message).toMatch(/\/etc\/nothing does not exist/);
    expect(results['wrong mode'].message).toMatch(/mode 0600\), but the mode should be 644/);
    expect(results['lacks text'].message).toMatch(/does not contain "bottom"/);
    expect(results['fails'].message).toMatch(/`ls \/nowhere` exited with 1, expected 0; stderr ".*nowhere/);
    expect(results['wrong output'].message).toMatch(/`echo 2` printed "2", expected "1"/);
  });

  it('fails every remaining check at once when the guest kernel panics', async () => {
    await m.execute('(sleep 0.5; echo c > /proc/sysrq-trigger) >/dev/null 2>&1 &');
    const t0 = Date.now();
    const results = await runChecks(m, [
      chk('never', 120_000, { kind: 'port', port: 9999 }),
      chk('never http', 120_000, { kind: 'http', port: 80, path: '/', status: 418 }),
    ]);
    expect(Date.now() - t0).toBeLessThan(60_000);
    for (const r of results) {
      expect(r.status).toBe('failed');
      expect(r.message).toMatch(/the guest kernel panicked \(Kernel panic - not syncing/);
      expect(r.message).toMatch(/Last console lines:\n/);
    }
  });

  it('fails at once when the VM is not running', async () => {
    await m.kill();
    const [r] = await runChecks(m, [chk('after stop', 60_000, { kind: 'command', run: 'true', exitCode: 0 })]);
    expect(r.status).toBe('failed');
    // The panic is still the first cause on record; either way nothing waits for the timeout.
    expect(r.message).toMatch(/the VM (is not running|stopped)|kernel panicked/);
    expect(r.durationMs).toBeLessThan(1000);
  });
});
