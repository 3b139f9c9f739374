import { describe, expect, it } from 'vitest';
import { bootSecondsFrom, dirSizes, fileListDiff, lineDiff } from '../../../src-main/api/compare-diff';
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
