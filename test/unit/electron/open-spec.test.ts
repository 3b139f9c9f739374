import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EditorCommand } from '../../../src-main/tools/open-editor';

// The desktop app's spec-line link, end to end short of the Electron binary: the page's request
// goes over the real IPC handler into a real engine, which opens only the folder's appliance.yaml
// at the line (through the editor choice), or shows it in its folder when no editor starts.
const registered = new Map<string, (event: unknown, request: unknown) => unknown>();
vi.mock('electron', () => ({
  ipcMain: {
    handle: (channel: string, fn: (event: unknown, request: unknown) => unknown) => registered.set(channel, fn),
    removeHandler: (channel: string) => registered.delete(channel),
  },
}));

const { registerIpc } = await import('../../../src-main/electron/ipc');
const { openFileAt } = await import('../../../src-main/electron/open-spec');
const { Engine } = await import('../../../src-main/api/engine');

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-openspec-home-'));
const app = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-openspec-app-'));
fs.writeFileSync(path.join(app, 'appliance.yaml'), 'name: x\nversion: 1.0.0\n');
const appFrame = { senderFrame: { url: 'app://yoke/index.html', parent: null } };
const CODE: EditorCommand = { file: '/usr/bin/code', args: [], label: 'code', atLine: true };

let launched: EditorCommand[] = [];
let revealed: string[] = [];
let chosen: Array<[string, number]> = [];
let editor: EditorCommand | null = CODE;
let launchProblem: string | null = null;

const engines: InstanceType<typeof Engine>[] = [];
function electronEngine() {
  const engine = new Engine({
    home,
    face: 'electron',
    openFileAt: (file, line) =>
      openFileAt(file, line, {
        choose: (f, l) => (chosen.push([f, l]), editor),
        launch: async (cmd) => (launched.push(cmd), launchProblem),
        reveal: (f) => void revealed.push(f),
      }),
  });
  engines.push(engine);
  return engine;
}
const call = (request: unknown, frame: unknown = appFrame) => registered.get('yoke:call:appliance.openSpec')!(frame, request);

afterAll(async () => {
  for (const e of engines) await e.close();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(app, { recursive: true, force: true });
});

describe('appliance.openSpec over IPC', () => {
  beforeEach(() => {
    registered.clear();
    launched = [];
    revealed = [];
    chosen = [];
    editor = CODE;
    launchProblem = null;
  });

  it("opens the folder's appliance.yaml at the line in the chosen editor", async () => {
    registerIpc(electronEngine(), { indexFile: '/app/out/renderer/index.html' });
    expect(await call({ dir: app, line: 12 })).toEqual({ ok: true, value: { opened: 'editor', editor: 'code', atLine: true } });
    expect(chosen).toEqual([[path.join(app, 'appliance.yaml'), 12]]);
    expect(launched).toEqual([CODE]);
    expect(revealed).toEqual([]);
  });

  it('shows the file in its folder when no editor is found or it fails to start', async () => {
    registerIpc(electronEngine(), { indexFile: '/app/out/renderer/index.html' });
    editor = null;
    expect(await call({ dir: app, line: 3 })).toEqual({ ok: true, value: { opened: 'folder', atLine: false } });
    editor = CODE;
    launchProblem = 'code failed: exit 1';
    expect(await call({ dir: app, line: 3 })).toEqual({ ok: true, value: { opened: 'folder', atLine: false, problem: 'code failed: exit 1' } });
    expect(revealed).toEqual([path.join(app, 'appliance.yaml'), path.join(app, 'appliance.yaml')]);
  });

  it('refuses bad requests and other frames before anything is opened', async () => {
    registerIpc(electronEngine(), { indexFile: '/app/out/renderer/index.html' });
    for (const bad of [{ dir: app, line: 0 }, { dir: app, line: 1.5 }, { dir: app }, { dir: app, line: 2, file: '/etc/passwd' }]) {
      expect(await call(bad)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    }
    expect(await call({ dir: path.join(app, 'nowhere'), line: 2 })).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(await call({ dir: app, line: 2 }, { senderFrame: { url: 'https://evil.example/', parent: null } })).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    expect([...chosen, ...launched, ...revealed]).toEqual([]);
  });

  it('answers "none" where there is no desktop (the browser face shows the line itself)', async () => {
    const web = new Engine({ home, face: 'web' });
    engines.push(web);
    expect(await web.call('appliance.openSpec', { dir: app, line: 4 })).toEqual({ ok: true, value: { opened: 'none', atLine: false } });
  });
});
