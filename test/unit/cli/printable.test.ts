// Issue 15 item 12: check names from the spec and guest output reached the terminal raw
// (`ESC ]0;…` set the window title, `ESC [2J` cleared the screen).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCommand } from '../../../src-main/cli/commands/validate';
import { printable } from '../../../src-main/cli/printable';
import { followJob } from '../../../src-main/cli/progress';
import type { CliContext } from '../../../src-main/cli/types';

// eslint-disable-next-line no-control-regex
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function ctx(): CliContext & { text: () => string } {
  let all = '';
  return { home: '/nonexistent-yoke-home', json: false, tty: false, out: (t) => (all += t), err: (t) => (all += t), text: () => all };
}

describe('printable', () => {
  it('shows control characters as escapes and keeps newlines, tabs and Unicode', () => {
    expect(printable('\x1b]0;pwned\x07title')).toBe('\\e]0;pwned\\x07title');
    expect(printable('a\x1b[2Jb\r\nc\td é ✓')).toBe('a\\e[2Jb\\x0d\nc\td é ✓');
    expect(printable('\u009b31m')).toBe('\\x9b31m');
  });
});

describe('human CLI output never carries terminal controls from specs or guests', () => {
  it('yoke validate shows a spec value holding ESC sequences escaped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-esc-'));
    fs.writeFileSync(path.join(dir, 'appliance.yaml'), 'name: "\\e]0;pwned\\a\\e[2J"\nversion: 1.0.0\n');
    const c = ctx();
    expect(await validateCommand.run(c, { values: {}, positionals: [dir] })).toBe(2);
    expect(c.text()).toContain('\\e]0;pwned\\x07\\e[2J');
    expect(c.text()).not.toMatch(TERMINAL_CONTROL);
    fs.rmSync(dir, { recursive: true });
  });

  it('job log lines and progress messages (guest output of seed/verify steps, tools) are escaped', () => {
    const c = ctx();
    const on = followJob(c, { verbose: true });
    on('job.progress', { jobId: 'j1', phase: 'seed \x1b[2J', fraction: 0.5, message: 'guest says \x1b]0;owned\x07' } as never);
    on('job.log', { jobId: 'j1', lines: [{ level: 'info', text: 'seed: \x1b[2Jcleared' }, { level: 'warn', text: 'verify \x1b[31mred' }] } as never);
    expect(c.text()).toContain('guest says \\e]0;owned\\x07');
    expect(c.text()).toContain('seed: \\e[2Jcleared');
    expect(c.text()).not.toMatch(TERMINAL_CONTROL);
  });
});
