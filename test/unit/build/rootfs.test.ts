import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { osDiskFits } from '../../../src-main/build/osdisk';
import { applianceTree, checkHostSymlinks, walkOverlay } from '../../../src-main/build/rootfs';

function overlay(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-ov-'));
  fs.mkdirSync(path.join(dir, 'srv/www/.git'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'srv/www/.git/HEAD'), 'ref');
  fs.writeFileSync(path.join(dir, 'srv/www/index.html'), 'hello');
  fs.writeFileSync(path.join(dir, 'srv/run.sh'), '#!/bin/sh', { mode: 0o750 });
  fs.symlinkSync('/srv/www/index.html', path.join(dir, 'srv/link'));
  return dir;
}

describe('overlay', () => {
  it('lists files with modes, keeps symlinks unfollowed, honours exclude', async () => {
    const files = await walkOverlay(overlay(), ['**/.git']);
    expect(files.map((f) => [f.rel, f.kind, f.mode.toString(8), f.target])).toEqual([
      ['srv', 'dir', '755', undefined],
      ['srv/link', 'symlink', '777', '/srv/www/index.html'],
      ['srv/run.sh', 'file', '750', undefined],
      ['srv/www', 'dir', '755', undefined],
      ['srv/www/index.html', 'file', '644', undefined],
    ]);
  });

  it('says what is wrong with a missing overlay or a device node', async () => {
    await expect(walkOverlay('/nonexistent/rootfs', [])).rejects.toThrow(/The overlay folder \/nonexistent\/rootfs does not exist/);
  });

  it('allows absolute links into the image and refuses ones that only resolve on this machine', async () => {
    const files = await walkOverlay(overlay(), []);
    expect(() => checkHostSymlinks(files, (p) => p === '/srv/www/index.html')).not.toThrow();
    expect(() => checkHostSymlinks(files, () => false, () => true)).toThrow(/points to \/srv\/www\/index\.html, a file on this machine/);
  });

  // Issue 15 item 2: newc's size field is 8 hex digits; a 4 GiB file made a "succeeded" build with a corrupt rootfs.
  it('refuses an overlay file of 4 GiB or more, naming it, and takes one byte less', async () => {
    const dir = overlay();
    const big = path.join(dir, 'srv/big.img');
    fs.closeSync(fs.openSync(big, 'w'));
    fs.truncateSync(big, 4 * 1024 ** 3); // sparse: no disk space used
    await expect(walkOverlay(dir, [])).rejects.toThrow(new RegExp(`The overlay file ${big} is 4\\.0 GiB .*at most 4 GiB - 1 byte.*rootfs\\.exclude`));
    expect((await walkOverlay(dir, ['srv/big.img'])).some((f) => f.rel === 'srv/big.img')).toBe(false);
    fs.truncateSync(big, 4 * 1024 ** 3 - 1);
    expect((await walkOverlay(dir, [])).find((f) => f.rel === 'srv/big.img')?.size).toBe(4 * 1024 ** 3 - 1);
    fs.rmSync(dir, { recursive: true });
  });

  // Issue 15 item 5: a hostile exclude pattern took minutes and froze `yoke serve`, which builds in its own process.
  it('walks a big overlay with a hostile exclude pattern quickly, without stalling the event loop', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-ov-big-'));
    for (let d = 0; d < 20; d++) {
      fs.mkdirSync(path.join(dir, `d${d}`));
      for (let f = 0; f < 100; f++) fs.writeFileSync(path.join(dir, `d${d}`, `${'a'.repeat(100)}${f}`), '');
    }
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const t0 = performance.now();
    const files = await walkOverlay(dir, ['*a*a*a*a*a*a*a*b', '**/a/**/a/**/a/**/b']);
    const took = performance.now() - t0;
    clearInterval(timer);
    longestGap = Math.max(longestGap, performance.now() - last); // a synchronous call never lets the timer run at all
    expect(files).toHaveLength(2020);
    expect(took).toBeLessThan(5000);
    expect(longestGap).toBeLessThan(250);
    fs.rmSync(dir, { recursive: true });
  });

  it('lets an overlay /etc/fstab replace the generated one', () => {
    const base = { name: 'a', version: '1', services: [], data: { label: 'data', mount: '/data' }, modules: [] };
    const gen = applianceTree({ ...base, overlay: [] }).get('etc/fstab');
    expect(gen && 'data' in gen && gen.data.toString()).toContain('LABEL=data\t/data');
    const own = applianceTree({ ...base, overlay: [{ rel: 'etc/fstab', abs: '/o/etc/fstab', kind: 'file', mode: 0o644, size: 3 }] }).get('etc/fstab');
    expect(own && 'source' in own && own.source).toBe('/o/etc/fstab');
  });
});

describe('OS disk layout', () => {
  it('knows when two slots of the payload do not fit', () => {
    expect(osDiskFits(64 << 20, 20 << 20, 4)).toBe(true);
    expect(osDiskFits(64 << 20, 31 << 20, 4)).toBe(false);
  });
});
