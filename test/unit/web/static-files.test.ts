import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentType, lookupStatic } from '../../../src-main/web/static-files';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-static-'));
fs.mkdirSync(path.join(root, 'assets'));
fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html>');
fs.writeFileSync(path.join(root, 'assets', 'index-abc.js'), '');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('lookupStatic', () => {
  it('maps the root and screens without an extension to index.html', () => {
    expect(lookupStatic(root, '/')).toEqual({ kind: 'file', file: path.join(root, 'index.html'), index: true });
    expect(lookupStatic(root, '/builds')).toMatchObject({ kind: 'file', index: true });
  });

  it('serves assets and refuses what is missing or outside', () => {
    expect(lookupStatic(root, '/assets/index-abc.js')).toEqual({ kind: 'file', file: path.join(root, 'assets', 'index-abc.js'), index: false });
    expect(lookupStatic(root, '/assets/nope.js')).toEqual({ kind: 'missing' });
    for (const escape of ['/../../etc/passwd', '/..%2F..%2Fetc%2Fpasswd', '/assets/../../../etc/hostname']) {
      const found = lookupStatic(root, escape);
      // Either nothing, or the app page itself: never a file outside the UI folder.
      if (found.kind === 'file') expect(found.file, escape).toBe(path.join(root, 'index.html'));
      else expect(found.kind, escape).toBe('missing');
    }
    expect(lookupStatic(root, '/%E0%A4%A')).toEqual({ kind: 'missing' });
  });

  it('says when the UI was never built', () => {
    expect(lookupStatic(path.join(root, 'nowhere'), '/')).toEqual({ kind: 'not-built' });
  });

  it('names content types browsers will execute only for scripts', () => {
    expect(contentType('a.js')).toMatch(/^text\/javascript/);
    expect(contentType('a.css')).toMatch(/^text\/css/);
    expect(contentType('a.unknown')).toBe('application/octet-stream');
  });
});
