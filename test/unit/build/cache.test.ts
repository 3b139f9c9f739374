import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashInputs, StageCache } from '../../../src-main/build/cache';

const home = () => fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-cache-'));

describe('stage cache', () => {
  it('hashes inputs independent of key order', () => {
    expect(hashInputs({ a: 1, b: [{ y: 2, x: 1 }] })).toBe(hashInputs({ b: [{ x: 1, y: 2 }], a: 1 }));
    expect(hashInputs({ a: 1 })).not.toBe(hashInputs({ a: 2 }));
  });

  it('stores an entry under its key and finds it again with hashes and meta', async () => {
    const c = new StageCache(home());
    const e = await c.put('k1', async (tmp) => {
      fs.writeFileSync(path.join(tmp, 'out.bin'), 'abc');
      return { warnings: ['w'] };
    });
    expect(e.files).toEqual([expect.objectContaining({ name: 'out.bin', bytes: 3, sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad' })]);
    const hit = c.get('k1')!;
    expect(hit.meta).toEqual({ warnings: ['w'] });
    expect(fs.readFileSync(path.join(hit.dir, 'out.bin'), 'utf8')).toBe('abc');
    expect(c.get('nope')).toBeNull();
  });

  it('leaves no half entry when filling fails', async () => {
    const h = home();
    const c = new StageCache(h);
    await expect(
      c.put('k2', async (tmp) => {
        fs.writeFileSync(path.join(tmp, 'half'), 'x');
        throw new Error('tool died');
      }),
    ).rejects.toThrow('tool died');
    expect(fs.readdirSync(c.root)).toEqual([]);
    expect(c.get('k2')).toBeNull();
  });

  it('forgets an entry whose file was changed behind its back', async () => {
    const c = new StageCache(home());
    const e = await c.put('k3', async (tmp) => fs.writeFileSync(path.join(tmp, 'disk.raw'), 'abcd'));
    const f = path.join(e.dir, 'disk.raw');
    fs.writeFileSync(f, 'abce');
    fs.utimesSync(f, new Date(), new Date(Date.now() + 5000));
    expect(c.get('k3')).toBeNull();
    expect(fs.existsSync(e.dir)).toBe(false);
  });

  it('removes temp dirs of dead builds when opened', () => {
    const h = home();
    const root = path.join(h, 'cache', 'stages');
    fs.mkdirSync(path.join(root, '.tmp-999999999-abc'), { recursive: true });
    new StageCache(h);
    expect(fs.readdirSync(root)).toEqual([]);
  });

  it('evicts least recently used entries past the limit, sparing the ones in use', async () => {
    const c = new StageCache(home());
    const big = Buffer.alloc(64 * 1024, 1);
    for (const k of ['old', 'mid', 'new']) {
      await c.put(k, async (tmp) => fs.writeFileSync(path.join(tmp, 'f'), big));
    }
    const t = Date.now() / 1000;
    fs.utimesSync(path.join(c.root, 'old', 'entry.json'), t - 300, t - 300);
    fs.utimesSync(path.join(c.root, 'mid', 'entry.json'), t - 200, t - 200);
    fs.utimesSync(path.join(c.root, 'new', 'entry.json'), t - 100, t - 100);
    c.get('old'); // used now: becomes the most recent
    expect(c.evict(150 * 1024)).toEqual(['mid']);
    expect(c.evict(10 * 1024, new Set(['old']))).toEqual(['new']);
    expect(fs.readdirSync(c.root).sort()).toEqual(['old']);
  });
});
