// Issue 15 item 14: messages that said nothing useful. Each now says what was wrong and what to do.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runHook } from '../../../src-main/tools/hook';
import { walkOverlay } from '../../../src-main/build/rootfs';
import { formatProblem, loadSpec } from '../../../src-main/spec/load';
import { openStore } from '../../../src-main/store/store';

const made: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-msg-'));
  made.push(d);
  return d;
};
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('messages that say what was wrong and what to do', () => {
  it('an overlay file name that is not UTF-8 is named, with the fix (was: ENOENT … bad��name)', async () => {
    const dir = tmp();
    fs.mkdirSync(path.join(dir, 'srv'));
    fs.writeFileSync(Buffer.from(`${dir}/srv/bad\xe9name`, 'latin1'), 'x');
    await expect(walkOverlay(dir, [])).rejects.toThrow(`The overlay folder ${dir}/srv holds a file whose name is not UTF-8 ("bad\\xe9name"). An image's names must be UTF-8: rename it`);
  });

  it('a hook without its exec bit or without #! says so (was: failed (exit undefined))', async () => {
    const dir = tmp();
    const lines: string[] = [];
    const run = (f: string) => runHook(path.join(dir, f), { cwd: dir, env: {}, onLine: (l) => lines.push(l) });
    fs.writeFileSync(path.join(dir, 'publish.sh'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
    await expect(run('publish.sh')).rejects.toThrow(/publish\.sh is not executable\. Make it executable \(chmod \+x\)/);
    fs.chmodSync(path.join(dir, 'publish.sh'), 0o755);
    await run('publish.sh');
    expect(lines).toEqual(['hi']);
    fs.writeFileSync(path.join(dir, 'bare.sh'), 'echo hi\n', { mode: 0o755 });
    await expect(run('bare.sh')).rejects.toThrow(/bare\.sh has no #! line.*Start it with #!\/bin\/sh/);
  });

  it('a path too long for the system is a short message (was: a 30 KB ENAMETOOLONG line)', () => {
    const dir = tmp();
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'appliance.yaml'), `name: a\nversion: 1.0.0\nrootfs:\n  overlay: ${'x'.repeat(30000)}\n`);
    const [p] = loadSpec(app).problems;
    expect(p.message).toMatch(/^overlay directory 'x+…\(\d+ more characters\)…x+' is too long \(30000 characters, Linux allows 4095\); use a shorter path$/);
    expect(p.message.length).toBeLessThan(300);

    const deep = path.join(dir, 'y'.repeat(30000));
    const r = loadSpec(deep);
    expect(r.problems[0].message).toMatch(/^the folder path .*…\(\d+ more characters\)….* is too long \(.*\); use a shorter path$/);
    expect(formatProblem(r.problems[0]).length).toBeLessThan(700);
  });

  it('a full disk at database open is called a full disk (was: disk I/O error. Check the folder\'s permissions)', (ctx) => {
    if (process.getuid?.() !== 0) return ctx.skip(); // mounting a tmpfs needs root; CI runs as root
    const mnt = tmp();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
    try {
      try {
        fs.writeFileSync(path.join(mnt, 'filler'), Buffer.alloc(2 * 1024 * 1024));
      } catch {
        // ENOSPC: the disk is now full, as intended
      }
      expect(() => openStore(mnt)).toThrow(/the disk holding it is full \(\d+ bytes free\)\. Free some space there, or use another --home\./);
    } finally {
      execFileSync('umount', [mnt]);
    }
  });
});
