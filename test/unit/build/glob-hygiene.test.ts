import { describe, expect, it } from 'vitest';
import { globToRegExp, isExcluded } from '../../../src-main/build/glob';
import { describeFinding, scanHygiene } from '../../../src-main/build/hygiene';

describe('exclude globs', () => {
  const g = (...p: string[]) => p.map(globToRegExp);
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
  ])('%s matching %s is %s', (glob, rel, want) => {
    expect(isExcluded(rel, g(glob))).toBe(want);
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
});
