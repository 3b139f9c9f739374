// A base.packages name the release does not have is a mistake in the spec: `yoke build` refuses
// it with exit 2 before any stage runs (no build row, no mmdebstrap), naming the entry's line and
// the nearest name in Yoke's kept index. The index here is a Packages.xz in the archive's format
// and layout, compressed by xz, in a fresh data directory; no network is used.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { yoke } from '../cli/cli-harness';
import { debianSample } from './debian-harness';
import { NAMES_FILE, searchPackageNames } from '../../../src-main/build/bases/debian-names';

const STANZAS = ['nginx', 'nginx-common', 'sqlite3', 'libsqlite3-0', 'postgresql', 'curl']
  .map((n) => `Package: ${n}\nVersion: 1.0-1\nArchitecture: amd64\nFilename: pool/main/${n[0]}/${n}/${n}_1.0-1_amd64.deb\nSHA256: ${'0'.repeat(64)}\n`)
  .join('\n');

/** A kept mirror as Yoke lays it out: origin/dists/<suite>/main/binary-amd64/Packages.xz. */
function keepIndex(home: string, withNames: boolean): string {
  const mirror = path.join(home, 'cache', 'debian', 'mirrors', 'a'.repeat(24));
  const dir = path.join(mirror, 'deb.debian.org_debian', 'dists', 'bookworm', 'main', 'binary-amd64');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'Packages'), STANZAS);
  execFileSync('xz', ['-z', path.join(dir, 'Packages')]);
  fs.writeFileSync(path.join(mirror, 'pool.json'), '{}');
  if (withNames) fs.writeFileSync(path.join(mirror, NAMES_FILE), 'curl\nlibsqlite3-0\nnginx\nnginx-common\npostgresql\nsqlite3\n');
  return mirror;
}

describe('an unknown Debian package is a spec error', () => {
  afterAll(() => removeTestHomes());

  it('exits 2 before the build starts, at the entry’s line and column, with a did-you-mean', async () => {
    const home = await makeTestHome('yoke-debian-names-');
    keepIndex(home, true);
    const app = debianSample((y) => y.replace('packages: [nginx, sqlite3]', 'packages:\n    - nginx\n    - sqlit3\n    - postgressql'));
    const r = await yoke(['build', app, '--json'], { home });
    expect(r.code).toBe(2);
    const file = path.join(app, 'appliance.yaml');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const at = (name: string) => `${lines.findIndex((l) => l.endsWith(`- ${name}`)) + 1}:7`;
    expect(r.stderr).toContain(`${file}:${at('sqlit3')}: base.packages names "sqlit3", which Debian bookworm does not have (did you mean "sqlite3"?). Fix the name in base.packages.`);
    expect(r.stderr).toContain(`${file}:${at('postgressql')}: base.packages names "postgressql", which Debian bookworm does not have (did you mean "postgresql"?)`);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'spec', problems: [{ path: 'base.packages.1' }, { path: 'base.packages.2' }] });
    // Refused before any work: no build row, nothing installed.
    const h = await yoke(['history', '--json'], { home });
    expect(JSON.parse(h.stdout)).toMatchObject({ builds: [] });
    expect(fs.existsSync(path.join(home, 'cache', 'stages'))).toBe(false);
  }, 120_000);

  it('reads a kept mirror that has no names list yet (an older cache) and lists it for next time', async () => {
    const home = await makeTestHome('yoke-debian-names-old-');
    const mirror = keepIndex(home, false);
    const app = debianSample((y) => y.replace('packages: [nginx, sqlite3]', 'packages: [ngnix]'));
    const first = await yoke(['build', app], { home });
    // The first time the index is read by the package stage (the build fails there, exit 1) …
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/appliance\.yaml:\d+: base\.packages names "ngnix", which Debian bookworm does not have \(did you mean "nginx"\?\)/);
    expect(fs.readFileSync(path.join(mirror, NAMES_FILE), 'utf8')).toContain('\nnginx\n');
    // … and from then on before the build starts.
    const again = await yoke(['build', app], { home });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/appliance\.yaml:\d+:\d+: base\.packages names "ngnix".*did you mean "nginx"/);
  }, 180_000);

  it('searches the kept names for the wizard: the exact name first, then prefixes, then the rest', async () => {
    const home = await makeTestHome('yoke-debian-names-search-');
    expect(searchPackageNames(home, 'bookworm', 'nginx')).toEqual({ indexed: false, total: 0, names: [] });
    keepIndex(home, true);
    expect(searchPackageNames(home, 'bookworm', 'nginx')).toEqual({ indexed: true, total: 6, names: ['nginx', 'nginx-common'] });
    expect(searchPackageNames(home, 'bookworm', 'SQL').names).toEqual(['sqlite3', 'libsqlite3-0', 'postgresql']);
    expect(searchPackageNames(home, 'bookworm', 'nothing-like-it').names).toEqual([]);
  });
});
