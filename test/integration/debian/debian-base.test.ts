// base.userland: debian, end to end through the CLI: the nginx + SQLite sample builds, boots and
// passes every check; an overlay change does not install packages again; the same folder gives
// the same OS disk in another data directory as a non-root user, and again with the network cut.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { qemuOf } from '../cli/cli-harness';
import { chownTree, DEBIAN_SAMPLE, debianSample, ensureTestUser, osDiskSha, TEST_USER, yokeAs } from './debian-harness';

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

  it.runIf(root)('gives the same OS disk as a non-root user in another data directory, online and then with the network cut', async () => {
    ensureTestUser();
    const userApp = debianSample((y) => y, TEST_USER);
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
