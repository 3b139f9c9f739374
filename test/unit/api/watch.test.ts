import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../src-main/api/contract';
import { Engine } from '../../../src-main/api/engine';
import { isIgnoredChange, MAX_WATCH_FOLDERS, watchedFolders, watchModeOf } from '../../../src-main/api/watch';

const SAMPLE = path.resolve(__dirname, '../../../resources/sample/hello-web');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function setup(): { engine: Engine; dir: string; changes: EventPayload<'appliance.changed'>[] } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-watch-home-'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-watch-app-'));
  fs.cpSync(SAMPLE, dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
  const engine = new Engine({ home, face: 'cli' });
  const changes: EventPayload<'appliance.changed'>[] = [];
  engine.on((event, payload) => {
    if (event === 'appliance.changed') changes.push(payload as EventPayload<'appliance.changed'>);
  });
  cleanup.push(() => fs.rmSync(home, { recursive: true, force: true }), () => fs.rmSync(dir, { recursive: true, force: true }), () => engine.close());
  return { engine, dir, changes };
}

async function until<T>(f: () => T | undefined, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting for appliance.changed');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('appliance.watch', () => {
  it('re-validates on save and reports a typo at its line, once per burst of writes', async () => {
    const { engine, dir, changes } = setup();
    const first = await engine.request('appliance.watch', { dir });
    expect(first.valid).toBe(true);
    const file = path.join(dir, 'appliance.yaml');
    const text = fs.readFileSync(file, 'utf8');
    // An editor's save: several writes in quick succession.
    fs.writeFileSync(file, text.replace('memory: 256M', 'memroy: 256M'));
    fs.appendFileSync(file, '\n');
    const changed = await until(() => changes.find((c) => !c.summary.valid));
    const line = text.split('\n').findIndex((l) => l.includes('memory: 256M')) + 1;
    expect(changed.dir).toBe(dir);
    expect(changed.summary.problems[0]).toMatchObject({ line, message: expect.stringMatching(/memroy/) });
    await new Promise((r) => setTimeout(r, 400));
    expect(changes).toHaveLength(1);

    fs.writeFileSync(file, text);
    await until(() => (changes.length === 2 && changes[1].summary.valid ? true : undefined));
  });

  it('hears changes to the overlay too, and stops when the last face unwatches', async () => {
    const { engine, dir, changes } = setup();
    await engine.request('appliance.watch', { dir });
    await engine.request('appliance.watch', { dir });
    await engine.request('appliance.unwatch', { dir });
    fs.writeFileSync(path.join(dir, 'rootfs/srv/www/index.html'), 'hello again\n');
    await until(() => changes[0]);
    await engine.request('appliance.unwatch', { dir });
    expect(watchedFolders(engine)).toEqual([]);
  });

  // Issue 15 item 16: watching /usr took 4.3 s and 427 MB (a recursive watch of every folder).
  it('watches a huge tree that is not an appliance folder shallowly, and at once', async () => {
    const { engine } = setup();
    const big = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-watch-big-'));
    cleanup.push(() => fs.rmSync(big, { recursive: true, force: true }));
    for (let i = 0; i < 60; i++) for (let j = 0; j < 60; j++) fs.mkdirSync(path.join(big, `d${i}`, `e${j}`), { recursive: true });
    const t0 = performance.now();
    const summary = await engine.request('appliance.watch', { dir: big });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(summary.valid).toBe(false);
    expect(watchModeOf(engine, big)).toBe('shallow');
    // An appliance folder with more than MAX_WATCH_FOLDERS folders is capped the same way.
    fs.writeFileSync(path.join(big, 'appliance.yaml'), 'name: big\nversion: 1.0.0\n');
    expect(3600).toBeGreaterThan(MAX_WATCH_FOLDERS);
    await engine.request('appliance.unwatch', { dir: big });
    await engine.request('appliance.watch', { dir: big });
    expect(watchModeOf(engine, big)).toBe('shallow');
  });

  it('watches a folder whole once its appliance.yaml appears', async () => {
    const { engine, changes } = setup();
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-watch-new-'));
    cleanup.push(() => fs.rmSync(empty, { recursive: true, force: true }));
    await engine.request('appliance.watch', { dir: empty });
    expect(watchModeOf(engine, empty)).toBe('shallow');
    fs.writeFileSync(path.join(empty, 'appliance.yaml'), 'name: fresh\nversion: 1.0.0\n');
    await until(() => changes.find((c) => c.dir === empty && c.summary.valid));
    expect(watchModeOf(engine, empty)).toBe('recursive');
    fs.mkdirSync(path.join(empty, 'rootfs/etc'), { recursive: true });
    const n = changes.length;
    fs.writeFileSync(path.join(empty, 'rootfs/etc/motd'), 'hi\n');
    await until(() => (changes.length > n ? true : undefined));
  });

  it('refuses a folder that does not exist, saying which', async () => {
    const { engine } = setup();
    await expect(engine.request('appliance.watch', { dir: '/nonexistent/yoke-app' })).rejects.toThrow('Cannot watch /nonexistent/yoke-app: no such folder.');
  });

  it('ignores editor swap files and VCS folders', () => {
    expect(isIgnoredChange('.appliance.yaml.swp')).toBe(true);
    expect(isIgnoredChange('.git/index')).toBe(true);
    expect(isIgnoredChange('appliance.yaml~')).toBe(true);
    expect(isIgnoredChange('appliance.yaml')).toBe(false);
    expect(isIgnoredChange('rootfs/srv/www/index.html')).toBe(false);
  });
});
