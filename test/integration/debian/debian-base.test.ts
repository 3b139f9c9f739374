// base.userland: debian, end to end through the CLI: the nginx + SQLite sample builds, boots and
// passes every check; an overlay change does not install packages again; the same folder gives
// the same OS disk in another data directory as a non-root user, and again with the network cut.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { qemuOf } from '../cli/cli-harness';
import { chownTree, DEBIAN_SAMPLE, debianSample, ensureTestUser, osDiskSha, processesMentioning, TEST_USER, yokeAs } from './debian-harness';

const root = process.getuid?.() === 0;
const MIN = 60_000;

describe('Debian base (CLI, real mmdebstrap and qemu)', () => {
  let home: string;
  let app: string;
  let first = '';
  beforeAll(async () => {
    home = await makeTestHome('yoke-debian-');
    app = debianSample();
  });
  afterAll(() => {
    expect(qemuOf(home)).toEqual([]);
    removeTestHomes();
  });

  it('builds the nginx + sqlite3 sample and passes all its checks (page from SQLite, data on the data disk)', async () => {
    const b = await yokeAs(['build', app, '--json'], home);
    expect(b.code, b.stderr).toBe(0);
    first = osDiskSha(b);
    // The lock it came with names what was installed: the build did not rewrite it.
    expect(fs.readFileSync(path.join(app, 'appliance.lock'), 'utf8')).toBe(fs.readFileSync(path.join(DEBIAN_SAMPLE, 'appliance.lock'), 'utf8'));
    const t = await yokeAs(['test', app, '--json'], home);
    expect(t.code, t.stderr).toBe(0);
    const doc = JSON.parse(t.stdout) as { checks: { name: string; status: string; message?: string }[] };
    expect(doc.checks.map((c) => c.name)).toEqual(expect.arrayContaining(['service web', 'http :80/', 'the database is on the data disk', 'sqlite answers', 'nginx runs as www-data']));
    for (const c of doc.checks) expect(c.status, `${c.name}: ${c.message}`).toBe('passed');
  }, 25 * MIN);

  it('boots its own OS disk (GRUB, slot a, root partition a) under BIOS and UEFI, and passes its checks', async () => {
    for (const firmware of ['bios', 'uefi']) {
      const t = await yokeAs(['test', app, '--hardware', 'virtio', '--firmware', firmware, '--json'], home);
      expect(t.code, `${firmware}: ${t.stderr}`).toBe(0);
      const doc = JSON.parse(t.stdout) as { runs: { checks: { name: string; status: string }[] }[] };
      for (const c of doc.runs[0].checks) expect(c.status, `${firmware}: ${c.name}`).toBe('passed');
    }
  }, 15 * MIN);

  it('rebuilds one overlay file without installing packages again', async () => {
    const page = path.join(app, 'rootfs', 'usr', 'local', 'bin', 'notes-page');
    fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace('<h1>Notes</h1>', '<h1>Notes!</h1>'));
    const b = await yokeAs(['build', app, '--json', '--verbose'], home);
    expect(b.code, b.stderr).toBe(0);
    const log = b.stdout + b.stderr;
    expect(log).not.toMatch(/mmdebstrap/);
    expect(log).toMatch(/stage debian-packages: ok \(cached\)/);
    expect(log).toMatch(/stage rootfs: ok in/);
    expect(osDiskSha(b)).not.toBe(first);
  }, 10 * MIN);

  it('upgrades from the older Debian-based version by swapping the OS disk, keeping the SQLite data (base.state)', async () => {
    const next = debianSample((y) => y.replace(/^version: 1\.0\.0$/m, 'version: 1.1.0'));
    const r = await yokeAs(['upgrade-test', next, '--from', '1.0.0'], home);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/✓ \[verify\] verify: sqlite3 .*kept across upgrades/);
  }, 15 * MIN);

  it('names a package the release does not have, with the line and a did-you-mean, before installing anything', async () => {
    const bad = debianSample((y) => y.replace('packages: [nginx, sqlite3]', 'packages: [ngnix, sqlite3]'));
    const r = await yokeAs(['build', bad], home);
    // A spec error (exit 2), from the names the first build's kept index lists: no build started.
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/appliance\.yaml:\d+:\d+: base\.packages names "ngnix", which Debian bookworm does not have \(did you mean "nginx"\?\)/);
    expect(r.stderr).not.toMatch(/build #\d+/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    // The sample's lock is for another package list: left as it was.
    expect(fs.readFileSync(path.join(bad, 'appliance.lock'), 'utf8')).toBe(fs.readFileSync(path.join(DEBIAN_SAMPLE, 'appliance.lock'), 'utf8'));
  }, 5 * MIN);

  it('offline, a lock naming a version the cache lacks fails naming it and saying what to do', async () => {
    const app2 = debianSample();
    const lockFile = path.join(app2, 'appliance.lock');
    const lock = fs.readFileSync(lockFile, 'utf8');
    fs.writeFileSync(lockFile, lock.replace(/^( {2}- \{ name: sqlite3, version: ")[^"]+(", arch: amd64, sha256: )[0-9a-f]{64}/m, `$13.40.1-2+deb12u99$2${'e'.repeat(64)}`));
    const r = await yokeAs(['build', app2], home, { offline: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/appliance\.lock names 1 package that Yoke's cache \(.*\) does not hold \(sqlite3 3\.40\.1-2\+deb12u99\), and Debian's archive could not be reached\. Connect this machine to the network/);
    expect(processesMentioning(home)).toEqual([]);
  }, 5 * MIN);

  it('Ctrl-C during mmdebstrap stops it and all its helpers, leaving no half cache entry and no lock', async () => {
    const app3 = debianSample((y) => y.replace('packages: [nginx, sqlite3]', 'packages: [nginx, sqlite3, curl]'));
    fs.rmSync(path.join(app3, 'appliance.lock'));
    const t0 = Date.now();
    let sent = 0;
    const r = await yokeAs(['build', app3], home, { signalAfter: { text: /mmdebstrap \(/, signal: 'SIGINT', delayMs: 8000, onSent: () => (sent = Date.now()) } });
    expect(sent).toBeGreaterThan(t0);
    expect(Date.now() - sent).toBeLessThan(45_000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cancelled/);
    expect(processesMentioning(home)).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'cache', 'stages')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(fs.existsSync(path.join(app3, 'appliance.lock'))).toBe(false);
  }, 10 * MIN);

  it.runIf(root)('gives the same OS disk as a non-root user in another data directory, online and then with the network cut', async () => {
    ensureTestUser();
    const userApp = debianSample((y) => y, TEST_USER);
    // The same folder: with the appliance.pub the first build wrote (committed with it). Its public
    // key is in the image's updater; the private half stays on the first machine.
    fs.copyFileSync(path.join(app, 'appliance.pub'), path.join(userApp, 'appliance.pub'));
    chownTree(path.join(userApp, 'appliance.pub'), TEST_USER);
    const userHome = await makeTestHome('yoke-debian-user-');
    chownTree(userHome, TEST_USER);
    const online = await yokeAs(['build', userApp, '--json'], userHome, { user: TEST_USER });
    expect(online.code, online.stderr).toBe(0);
    expect(osDiskSha(online)).toBe(first);
    const offline = await yokeAs(['build', userApp, '--json', '--no-cache', '--verbose'], userHome, { user: TEST_USER, offline: true });
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout + offline.stderr).toMatch(/from Yoke's cache \(no network/);
    expect(osDiskSha(offline)).toBe(first);
  }, 40 * MIN);
});
