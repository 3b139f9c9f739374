import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { editorCommand, launchEditor } from '../../../src-main/tools/open-editor';

const FILE = '/apps/hello web/appliance.yaml';

/** A PATH that holds exactly these programs (in /usr/bin). */
const onPath = (...names: string[]) => (n: string) => (names.includes(n) ? `/usr/bin/${n}` : null);
const choose = (env: NodeJS.ProcessEnv, find: (n: string) => string | null, platform: NodeJS.Platform = 'linux') => editorCommand({ file: FILE, line: 12, env, find, platform });

describe('which editor opens appliance.yaml at a check line', () => {
  it('prefers $VISUAL, then $EDITOR, each told the line its own way', () => {
    expect(choose({ VISUAL: 'code --wait', EDITOR: 'vim' }, onPath('code', 'vim', 'x-terminal-emulator'))).toEqual({
      file: '/usr/bin/code', args: ['--wait', '-g', `${FILE}:12`], label: 'code', atLine: true,
    });
    expect(choose({ EDITOR: 'subl' }, onPath('subl', 'code'))).toMatchObject({ file: '/usr/bin/subl', args: [`${FILE}:12`] });
    expect(choose({ EDITOR: 'kate' }, onPath('kate'))).toMatchObject({ args: ['--line', '12', FILE] });
    expect(choose({ EDITOR: 'emacsclient' }, onPath('emacsclient'))).toMatchObject({ args: ['-n', '+12', FILE] });
    // A path with an escaped space, as execa's parseCommandString reads it.
    expect(choose({ VISUAL: '/opt/my\\ editor/gedit' }, onPath())).toMatchObject({ file: '/opt/my editor/gedit', args: ['+12', FILE] });
  });

  it('runs a terminal editor inside the desktop terminal, or passes it over when there is none', () => {
    expect(choose({ EDITOR: 'vim' }, onPath('vim', 'x-terminal-emulator'))).toEqual({
      file: '/usr/bin/x-terminal-emulator', args: ['-e', '/usr/bin/vim', '+12', FILE], label: 'vim in a terminal', atLine: true,
    });
    expect(choose({ EDITOR: 'emacs -nw' }, onPath('emacs', 'x-terminal-emulator'))).toMatchObject({ args: ['-e', '/usr/bin/emacs', '-nw', '+12', FILE] });
    // No terminal: vim cannot be shown, VS Code is the next choice.
    expect(choose({ EDITOR: 'nano' }, onPath('nano', 'code'))).toMatchObject({ file: '/usr/bin/code', args: ['-g', `${FILE}:12`] });
    expect(choose({ EDITOR: 'vim' }, onPath('vim', 'x-terminal-emulator'), 'darwin')).toBeNull();
  });

  it('falls back to VS Code, then VSCodium, and to nothing when no editor is installed', () => {
    expect(choose({}, onPath('code'))).toMatchObject({ file: '/usr/bin/code', args: ['-g', `${FILE}:12`] });
    expect(choose({ EDITOR: 'not-installed' }, onPath('codium'))).toMatchObject({ file: '/usr/bin/codium', label: 'codium' });
    expect(choose({ VISUAL: '  ', EDITOR: '' }, onPath('vim'))).toBeNull();
    expect(choose({}, onPath())).toBeNull();
  });

  it('opens the file without a line in an editor it does not know, and says so', () => {
    expect(choose({ VISUAL: 'mystery-edit --flag' }, onPath('mystery-edit'))).toEqual({ file: '/usr/bin/mystery-edit', args: ['--flag', FILE], label: 'mystery-edit', atLine: false });
  });
});

describe('launching the editor', () => {
  it('reports an editor that fails at once, and takes one that keeps running as opened', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-editor-'));
    const failing = path.join(dir, 'fails');
    fs.writeFileSync(failing, '#!/bin/sh\necho no display >&2\nexit 3\n', { mode: 0o755 });
    const slow = path.join(dir, 'slow');
    fs.writeFileSync(slow, '#!/bin/sh\nsleep 5\n', { mode: 0o755 });
    expect(await launchEditor({ file: failing, args: ['/x:1'], label: 'fails', atLine: true }, 2000)).toMatch(/^fails failed: /);
    expect(await launchEditor({ file: slow, args: [], label: 'slow', atLine: true }, 300)).toBeNull();
    expect(await launchEditor({ file: path.join(dir, 'absent'), args: [], label: 'absent', atLine: true }, 2000)).toMatch(/^absent failed/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
