import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileGlob, isExcluded, matchGlob, matchName } from '../../../src-main/build/glob';
import { describeFinding, scanHygiene } from '../../../src-main/build/hygiene';
import { walkOverlay } from '../../../src-main/build/rootfs';

describe('exclude globs', () => {
  const g = (...p: string[]) => p.map(compileGlob);
  it.each([
    ['**/.git', '.git', true],
    ['**/.git', 'srv/app/.git/config', true],
    ['*.log', 'var/log/app.log', true],
    ['srv/*.tmp', 'srv/a.tmp', true],
    ['srv/*.tmp', 'srv/sub/a.tmp', false],
    ['srv/**/*.tmp', 'srv/sub/deep/a.tmp', true],
    ['node_modules', 'app/node_modules/x/y.js', true],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['**/.git', 'srv/.github/x', false],
    ['srv/**', 'srv', false],
    ['srv/**', 'srv/a/b', true],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['/srv/*.tmp', 'srv/a.tmp', true],
    ['*.tmp', 'a.tmpx', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['*', 'anything/at/all', true],
    ['', 'anything', false],
    ['/', 'anything', false],
  ])('%s matching %s is %s', (glob, rel, want) => {
    expect(isExcluded(rel, g(glob))).toBe(want);
  });

  // Issue 15 item 5: the RegExp this file used to build took 3 min 25 s for this pattern and name.
  it.each([
    ['*a*a*a*a*a*a*a*b', 'a'.repeat(100)],
    ['**/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', `${'a/'.repeat(50)}${'a'.repeat(255)}`],
    ['**/a/**/a/**/a/**/a/**/b', `${'a/'.repeat(2000)}a`],
    [`${'*'.repeat(40)}X`, 'a'.repeat(255)],
  ])('a hostile pattern %s against a long path finishes in well under a second', (glob, rel) => {
    const t0 = performance.now();
    expect(isExcluded(rel, g(glob))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('matches names with * and ? the way a shell does', () => {
    expect(matchName('*.log', '.log')).toBe(true);
    expect(matchName('a?c', 'ac')).toBe(false);
    expect(matchName('**', '')).toBe(true);
    expect(matchGlob(compileGlob('x/**/y/*'), 'x/y/z')).toBe(true);
  });
});

describe('hygiene scan', () => {
  it('finds history, keys, .git folders and .env files, each once', () => {
    const found = scanHygiene([
      { rel: 'root/.bash_history' },
      { rel: 'root/.ssh/id_ed25519' },
      { rel: 'srv/app/.git' },
      { rel: 'srv/app/.git/config' },
      { rel: 'srv/app/.env.production' },
      { rel: 'srv/www/index.html' },
    ]);
    expect(found.map((f) => `${f.path}: ${f.why}`)).toEqual([
      '/root/.bash_history: shell history',
      '/root/.ssh/id_ed25519: an SSH private key',
      '/srv/app/.git: a .git folder',
      '/srv/app/.env.production: a .env file (often holds secrets)',
    ]);
    expect(describeFinding(found[0])).toBe('/root/.bash_history looks like shell history; it would ship to every customer. Remove it or add it to rootfs.exclude.');
  });

  // Issue 15 item 10: an overlay hard link to /etc/shadow put the host's file into the image silently.
  it('flags a hard link whose other names are outside the overlay, and not one shared inside it', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-hl-'));
    const ov = path.join(outside, 'rootfs');
    fs.mkdirSync(path.join(ov, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(outside, 'host-secret'), 'root:x:0:0\n');
    fs.linkSync(path.join(outside, 'host-secret'), path.join(ov, 'etc', 'shadow'));
    fs.writeFileSync(path.join(ov, 'etc', 'a'), 'a');
    fs.linkSync(path.join(ov, 'etc', 'a'), path.join(ov, 'etc', 'b')); // both names in the overlay: fine
    const files = await walkOverlay(ov, []);
    const found = scanHygiene(files.map((f) => ({ rel: f.rel, abs: f.abs, size: f.size, isDir: f.kind !== 'file', nlink: f.nlink, inode: f.inode })));
    expect(found).toEqual([{ path: '/etc/shadow', why: expect.stringMatching(/^a hard link to a file outside the overlay \(2 links, 1 in the overlay\)/) }]);
    expect(describeFinding(found[0])).toMatch(/\/etc\/shadow looks like a hard link .*Remove it or add it to rootfs\.exclude/);
    fs.rmSync(outside, { recursive: true });
  });
});
