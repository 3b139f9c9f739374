// Faults of a Debian base build, caused for real: the download cut mid-.deb (apt's http method
// killed while a .deb is half fetched), then the same folder built by a non-root user for whom
// user namespaces cannot be mapped (mmdebstrap's fakechroot mode, the same OS disk bytes), and on
// a host with neither user namespaces nor fakechroot (the exact apt command).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { chownTree, debianSample, DEBIAN_SAMPLE, ensureUserWithoutSubids, NO_SUBID_USER, osDiskSha, processesMentioning, yokeAs } from './debian-harness';

const root = process.getuid?.() === 0;
const MIN = 60_000;

/** Every process below `root` (parent links read from /proc): other tests' builds run beside this one. */
function descendants(root: number): Set<number> {
  const parent = new Map<number, number>();
  for (const p of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      // Field 4 of /proc/PID/stat, after the ")" that ends the command name.
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      parent.set(Number(p), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone
    }
  }
  const out = new Set<number>([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) if (!out.has(pid) && out.has(ppid)) (out.add(pid), (grew = true));
  }
  return out;
}

/** .deb files this build is fetching right now, with bytes in them: what its processes hold open in apt's partial/ folder. */
function halfFetchedDebs(mine: Set<number>): string[] {
  const out: string[] = [];
  for (const p of mine) {
    try {
      for (const fd of fs.readdirSync(`/proc/${p}/fd`)) {
        const f = fs.readlinkSync(`/proc/${p}/fd/${fd}`);
        if (/\/partial\/[^/]+\.deb$/.test(f) && fs.statSync(f).size > 0) out.push(f);
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** This build's apt download processes (its http method), the ones a dropped connection ends. */
function httpMethods(mine: Set<number>): number[] {
  return [...mine].filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('/usr/lib/apt/methods/http');
    } catch {
      return false;
    }
  });
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe.runIf(root)('Debian base faults (real mmdebstrap, real archive)', () => {
  let home: string;
  let app: string;
  let built = '';
  beforeAll(async () => {
    home = await makeTestHome('yoke-debian-faults-');
    app = debianSample();
  });
  afterAll(() => removeTestHomes());

  it('a download cut mid-.deb fails the build saying so, and keeps no half .deb, no mirror, no lock change', async () => {
    let cut = false;
    let yoke = 0;
    const watcher = setInterval(() => {
      if (cut || !yoke) return;
      const mine = descendants(yoke);
      if (!halfFetchedDebs(mine).length) return;
      const pids = httpMethods(mine);
      if (!pids.length) return;
      for (const p of pids) process.kill(p, 'SIGKILL');
      cut = true;
    }, 20);
    let r;
    try {
      r = await yokeAs(['build', app], home, { onSpawn: (pid) => (yoke = pid) });
    } finally {
      clearInterval(watcher);
    }
    expect(cut).toBe(true);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/download from Debian's archive was cut off/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    const debs = path.join(home, 'cache', 'debian', 'debs');
    // Whatever the store holds is whole: each file is named by its content's sha256.
    for (const f of fs.existsSync(debs) ? fs.readdirSync(debs) : []) expect(`${sha256(path.join(debs, f))}.deb`).toBe(f);
    const mirrors = path.join(home, 'cache', 'debian', 'mirrors');
    expect(fs.existsSync(mirrors) ? fs.readdirSync(mirrors) : []).toEqual([]);
    expect(fs.readdirSync(path.join(home, 'cache', 'stages')).filter((n) => n.startsWith('.tmp-'))).toEqual([]);
    expect(processesMentioning(home)).toEqual([]);
    expect(fs.readFileSync(path.join(app, 'appliance.lock'), 'utf8')).toBe(fs.readFileSync(path.join(DEBIAN_SAMPLE, 'appliance.lock'), 'utf8'));
  }, 15 * MIN);

  it('the next build downloads what is missing and succeeds', async () => {
    const r = await yokeAs(['build', app, '--json'], home);
    expect(r.code, r.stderr).toBe(0);
    built = osDiskSha(r);
    // Its kept index now lists the release's names: a misspelling is a spec error before any stage.
    const bad = debianSample((y) => y.replace('packages: [nginx, sqlite3]', 'packages: [ngnix, sqlite3]'));
    const u = await yokeAs(['build', bad], home);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/appliance\.yaml:\d+:\d+: base\.packages names "ngnix", which Debian bookworm does not have \(did you mean "nginx"\?\)/);
  }, 20 * MIN);

  it('a non-root user whose user namespaces cannot be mapped builds in fakechroot mode, offline, to the same OS disk', async () => {
    ensureUserWithoutSubids();
    const userApp = debianSample((y) => y, NO_SUBID_USER);
    // The same folder: with the appliance.pub the first build wrote (its key is in the image's updater).
    fs.copyFileSync(path.join(app, 'appliance.pub'), path.join(userApp, 'appliance.pub'));
    chownTree(path.join(userApp, 'appliance.pub'), NO_SUBID_USER);
    const userHome = await makeTestHome('yoke-debian-fakechroot-');
    fs.cpSync(path.join(home, 'cache', 'debian'), path.join(userHome, 'cache', 'debian'), { recursive: true });
    chownTree(userHome, NO_SUBID_USER);
    const r = await yokeAs(['build', userApp, '--json', '--verbose'], userHome, { user: NO_SUBID_USER, offline: true });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout + r.stderr).toMatch(/from Yoke's cache \(no network; mmdebstrap, fakechroot mode\)/);
    expect(osDiskSha(r)).toBe(built);

    // The same user on a host without fakechroot either: the exact command that fixes it.
    const none = await yokeAs(['build', userApp, '--no-cache'], userHome, { user: NO_SUBID_USER, offline: true, hide: ['/usr/bin/fakechroot'] });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/neither in a user namespace .* nor with fakechroot \(not installed\)\. Install it with: sudo apt-get install fakechroot fakeroot/);
    expect(none.stderr).toContain(`sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${NO_SUBID_USER}`);
    expect(processesMentioning(userHome)).toEqual([]);
  }, 30 * MIN);
});
