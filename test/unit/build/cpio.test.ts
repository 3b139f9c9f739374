import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpioLimitError, CpioTree, normalizeCpioPath, writeCpio } from '../../../src-main/build/cpio';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-cpio-'));

describe('cpio writer', () => {
  // Issue 15 item 2: a size of 2^32 became 9 hex digits and shifted every later header field.
  it('refuses a file of 4 GiB before writing anything, naming the source file', async () => {
    const dir = tmp();
    const src = path.join(dir, 'huge.bin');
    fs.closeSync(fs.openSync(src, 'w'));
    fs.truncateSync(src, 4 * 1024 ** 3); // sparse
    const t = new CpioTree();
    t.add({ path: 'a.txt', type: 'file', mode: 0o644, data: Buffer.from('a') });
    t.add({ path: 'srv/huge.bin', type: 'file', mode: 0o644, source: src, size: fs.statSync(src).size });
    const out = path.join(dir, 'a.cpio');
    await expect(writeCpio(t.sorted(), out, 0)).rejects.toThrow(CpioLimitError);
    await expect(writeCpio(t.sorted(), out, 0)).rejects.toThrow(new RegExp(`${src} is 4\\.0 GiB \\(4294967296 bytes\\)`));
    expect(fs.existsSync(out)).toBe(false);
    fs.rmSync(dir, { recursive: true });
  });

  it('writes an archive GNU cpio lists with sorted names, root owner, fixed times and every parent folder', async () => {
    const dir = tmp();
    const src = path.join(dir, 'src.txt');
    fs.writeFileSync(src, 'from a host file');
    const t = new CpioTree();
    t.add({ path: '/srv/www/index.html', type: 'file', mode: 0o644, data: Buffer.from('hello') });
    t.add({ path: 'bin/sh', type: 'symlink', target: '/bin/busybox' });
    t.add({ path: 'usr/share/x.txt', type: 'file', mode: 0o600, source: src, size: fs.statSync(src).size });
    t.add({ path: 'dev/console', type: 'chardev', mode: 0o600, major: 5, minor: 1 });
    const out = path.join(dir, 'a.cpio');
    const bytes = await writeCpio(t.sorted(), out, 1704067200);
    expect(bytes % 512).toBe(0);
    const listing = execFileSync('cpio', ['-itv', '--quiet', '-F', out], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C', TZ: 'UTC' } });
    const lines = listing.trim().split('\n');
    expect(lines.map((l) => l.replace(/^.*? 2024 /, ''))).toEqual([
      'bin', 'bin/sh -> /bin/busybox', 'dev', 'dev/console', 'srv', 'srv/www', 'srv/www/index.html', 'usr', 'usr/share', 'usr/share/x.txt',
    ]);
    for (const l of lines) expect(l).toMatch(/^\S+\s+\d+\s+root\s+root\s+.*Jan  1  2024/);
    expect(lines.find((l) => l.endsWith('x.txt'))).toMatch(/^-rw-------/);
    expect(lines.find((l) => l.endsWith('dev/console'))).toMatch(/^crw-------\s+1 root\s+root\s+5,\s+1/);
    const x = path.join(dir, 'x');
    fs.mkdirSync(x);
    execFileSync('cpio', ['-id', '--quiet', '--no-absolute-filenames', '-F', out, 'usr/share/x.txt', 'srv/www/index.html'], { cwd: x });
    expect(fs.readFileSync(path.join(x, 'usr/share/x.txt'), 'utf8')).toBe('from a host file');
    expect(fs.readFileSync(path.join(x, 'srv/www/index.html'), 'utf8')).toBe('hello');
  });

  // Issue 15 item 5: `yoke serve` builds in its own process; a synchronous archive write stalled it.
  it('writes a big archive without stalling the event loop', async () => {
    const dir = tmp();
    const src = path.join(dir, 'big.bin');
    fs.writeFileSync(src, Buffer.alloc(64 * 1024 * 1024, 7));
    const t = new CpioTree();
    for (let i = 0; i < 8; i++) t.add({ path: `srv/big${i}.bin`, type: 'file', mode: 0o644, source: src, size: 64 * 1024 * 1024 });
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const bytes = await writeCpio(t.sorted(), path.join(dir, 'a.cpio'), 0);
    clearInterval(timer);
    longestGap = Math.max(longestGap, performance.now() - last); // a synchronous call never lets the timer run at all
    expect(bytes).toBe(fs.statSync(path.join(dir, 'a.cpio')).size);
    expect(bytes).toBeGreaterThan(512 * 1024 * 1024);
    console.log(`[measure] cpio 512 MiB: longest event-loop stall ${longestGap.toFixed(0)} ms`);
    expect(longestGap).toBeLessThan(200);
    fs.rmSync(dir, { recursive: true });
  });

  it('is byte-identical for the same entries added in any order', async () => {
    const dir = tmp();
    const a = new CpioTree();
    const b = new CpioTree();
    const e1 = { path: 'etc/a', type: 'file' as const, mode: 0o644, data: Buffer.from('1') };
    const e2 = { path: 'etc/b/c', type: 'file' as const, mode: 0o755, data: Buffer.from('22') };
    a.add(e1);
    a.add(e2);
    b.add(e2);
    b.add(e1);
    await writeCpio(a.sorted(), path.join(dir, 'a'), 0);
    await writeCpio(b.sorted(), path.join(dir, 'b'), 0);
    expect(fs.readFileSync(path.join(dir, 'a')).equals(fs.readFileSync(path.join(dir, 'b')))).toBe(true);
  });

  it('lets a later entry replace an earlier one, and refuses impossible trees', () => {
    const t = new CpioTree();
    t.add({ path: 'bin/sh', type: 'symlink', target: '/bin/busybox' });
    t.add({ path: 'bin/sh', type: 'file', mode: 0o755, data: Buffer.from('#!') });
    expect(t.get('bin/sh')?.type).toBe('file');
    expect(() => t.add({ path: 'bin/sh/x', type: 'file', mode: 0o644, data: Buffer.alloc(0) })).toThrow(/"bin\/sh" is a file in the rootfs/);
    expect(() => normalizeCpioPath('a/../../etc')).toThrow(/may not contain ".."/);
    expect(normalizeCpioPath('/./srv//www/')).toBe('srv/www');
  });
});
