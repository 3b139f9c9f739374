import { debianVersionNewer } from '../../../src-main/tools/dpkg';
import { describe, expect, it } from 'vitest';
import { bootSecondsFrom, dirSizes, fileListDiff, lineDiff } from '../../../src-main/api/compare-diff';
import { packageDiff } from '../../../src-main/build/bases/debian-diff';
import type { NewcEntry } from '../../../src-main/build/newc';

const file = (p: string, bytes: number, sha256 = `h-${p}-${bytes}`): NewcEntry => ({ path: p, type: 'file', mode: 0o644, bytes, sha256 });
const dir = (p: string): NewcEntry => ({ path: p, type: 'dir', mode: 0o755, bytes: 0 });

describe('lineDiff', () => {
  it('marks the changed line as removed and added, the rest as the same', () => {
    const d = lineDiff('name: a\nversion: 1.0.0\nmemory: 256M', 'name: a\nversion: 1.1.0\nmemory: 256M');
    expect(d).toEqual([
      { op: 'same', text: 'name: a' },
      { op: 'del', text: 'version: 1.0.0' },
      { op: 'add', text: 'version: 1.1.0' },
      { op: 'same', text: 'memory: 256M' },
    ]);
  });

  it('finds lines inserted in the middle without disturbing the common ones', () => {
    const d = lineDiff('a\nb\nc\nd', 'a\nx\nb\nc\ny\nd');
    expect(d.filter((l) => l.op !== 'same').map((l) => `${l.op} ${l.text}`)).toEqual(['add x', 'add y']);
    expect(d.filter((l) => l.op === 'same')).toHaveLength(4);
  });

  it('gives an all-same diff for equal texts', () => {
    expect(lineDiff('a\nb', 'a\nb').every((l) => l.op === 'same')).toBe(true);
  });
});

describe('fileListDiff', () => {
  it('lists added, removed and changed files with both sizes, and counts the unchanged ones', () => {
    const a = [dir('srv'), file('srv/index.html', 10, 'x'), file('srv/old.txt', 5), file('bin/busybox', 900)];
    const b = [dir('srv'), file('srv/index.html', 10, 'y'), file('srv/new.txt', 7), file('bin/busybox', 900)];
    expect(fileListDiff(a, b)).toEqual({
      files: [
        { path: 'srv/index.html', change: 'changed', bytesA: 10, bytesB: 10 },
        { path: 'srv/new.txt', change: 'added', bytesA: null, bytesB: 7 },
        { path: 'srv/old.txt', change: 'removed', bytesA: 5, bytesB: null },
      ],
      unchanged: 1,
    });
  });
});

describe('dirSizes', () => {
  it('adds file bytes up by top-level directory and one level below', () => {
    const sizes = dirSizes([file('usr/lib/a.so', 100), file('usr/lib/b.so', 50), file('usr/bin/x', 10), file('init', 3), dir('etc')]);
    expect(sizes).toEqual([
      { path: 'usr', bytes: 160 },
      { path: 'usr/lib', bytes: 150 },
      { path: 'usr/bin', bytes: 10 },
      { path: 'init', bytes: 3 },
    ]);
  });
});

describe('bootSecondsFrom', () => {
  it('reads the ready line the appliance init prints', () => {
    expect(bootSecondsFrom('[    0.0] Linux\r\nyoke: services started\r\nyoke: ready after 2.71s\r\n')).toBe(2.71);
    expect(bootSecondsFrom('kernel panic')).toBeNull();
  });
});

describe('packageDiff (Debian locks of two builds)', () => {
  it('lists added, removed, upgraded and downgraded packages by Debian’s version rules (dpkg)', async () => {
    const a = [
      { name: 'libc6', version: '2.36-9+deb12u1' },
      { name: 'nginx', version: '1.22.1-9' },
      { name: 'perl-base', version: '1:5.36.0-7' },
      { name: 'sqlite3', version: '3.40.1-2' },
      { name: 'tzdata', version: '2024a-0+deb12u1' },
    ];
    const b = [
      { name: 'curl', version: '7.88.1-10+deb12u5' },
      { name: 'libc6', version: '2.36-9+deb12u1' },
      // +deb12u1 sorts after the bare revision; ~ before it; an epoch outranks everything.
      { name: 'nginx', version: '1.22.1-9+deb12u1' },
      { name: 'perl-base', version: '5.38.0-1' },
      { name: 'sqlite3', version: '3.40.1-2~bpo1' },
    ];
    const d = await packageDiff(a, b, (x, y) => debianVersionNewer(x, y));
    expect(d.unchanged).toBe(1);
    expect(d.changes).toEqual([
      { name: 'curl', change: 'added', versionA: null, versionB: '7.88.1-10+deb12u5' },
      { name: 'nginx', change: 'upgraded', versionA: '1.22.1-9', versionB: '1.22.1-9+deb12u1' },
      { name: 'perl-base', change: 'downgraded', versionA: '1:5.36.0-7', versionB: '5.38.0-1' },
      { name: 'sqlite3', change: 'downgraded', versionA: '3.40.1-2', versionB: '3.40.1-2~bpo1' },
      { name: 'tzdata', change: 'removed', versionA: '2024a-0+deb12u1', versionB: null },
    ]);
  });
});
