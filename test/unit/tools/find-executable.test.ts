import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findExecutable, searchDirs } from '../../../src-main/tools/find-executable';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-path-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('searchDirs', () => {
  it('adds the sbin folders Debian keeps off a normal PATH, once, after PATH', () => {
    expect(searchDirs('/usr/local/bin:/usr/bin:/bin')).toEqual(['/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin']);
    expect(searchDirs('/usr/sbin:/usr/bin')).toEqual(['/usr/sbin', '/usr/bin', '/sbin']);
  });

  it('ignores empty and relative entries (a PATH with "." would make the doctor trust the current folder)', () => {
    expect(searchDirs(':.:bin:/opt/x')).toEqual(['/opt/x', '/usr/sbin', '/sbin']);
    expect(searchDirs(undefined)).toEqual(['/usr/sbin', '/sbin']);
  });
});

describe('findExecutable', () => {
  it('finds an executable file and skips one that is not executable', () => {
    fs.writeFileSync(path.join(dir, 'yoke-tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'yoke-data'), 'x', { mode: 0o644 });
    fs.mkdirSync(path.join(dir, 'yoke-folder'));
    expect(findExecutable('yoke-tool', dir)).toBe(path.join(dir, 'yoke-tool'));
    expect(findExecutable('yoke-data', dir)).toBeNull();
    expect(findExecutable('yoke-folder', dir)).toBeNull();
  });

  it('finds sbin programs even when PATH does not name sbin', () => {
    expect(findExecutable('mke2fs', dir)).toMatch(/^\/(usr\/)?sbin\/mke2fs$/);
  });
});
