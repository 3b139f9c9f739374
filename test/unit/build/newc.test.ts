import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNewc } from '../../../src-main/build/newc';

// The archives are made by GNU cpio itself, not by Yoke's writer, so the parser is checked
// against the format as the rest of the world writes it.
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-newc-test-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function cpio(dir: string, names: string[]): Buffer {
  return execFileSync('cpio', ['-o', '-H', 'newc', '--quiet'], { cwd: dir, input: names.join('\n') + '\n' });
}

describe('parseNewc', () => {
  const tree = path.join(root, 'tree');
  fs.mkdirSync(path.join(tree, 'srv/www'), { recursive: true });
  fs.writeFileSync(path.join(tree, 'srv/www/index.html'), 'hello\n');
  fs.writeFileSync(path.join(tree, 'srv/www/big.bin'), Buffer.alloc(70_001, 7));
  fs.chmodSync(path.join(tree, 'srv/www/big.bin'), 0o600);
  fs.symlinkSync('index.html', path.join(tree, 'srv/www/home.html'));
  const names = ['srv', 'srv/www', 'srv/www/index.html', 'srv/www/big.bin', 'srv/www/home.html'];

  it('lists every entry of a cpio archive with its type, mode and size', () => {
    const entries = parseNewc(cpio(tree, names));
    expect(entries.map((e) => [e.path, e.type, e.bytes])).toEqual([
      ['srv', 'dir', 0],
      ['srv/www', 'dir', 0],
      ['srv/www/big.bin', 'file', 70_001],
      ['srv/www/home.html', 'symlink', 0],
      ['srv/www/index.html', 'file', 6],
    ]);
    expect(entries.find((e) => e.path === 'srv/www/big.bin')!.mode).toBe(0o600);
  });

  it('reads archives laid end to end, the later copy of a path winning', () => {
    const first = cpio(tree, names);
    fs.writeFileSync(path.join(tree, 'srv/www/index.html'), 'hallo\n');
    const second = cpio(tree, ['srv/www/index.html']);
    const entries = parseNewc(Buffer.concat([first, second]));
    const index = entries.filter((e) => e.path === 'srv/www/index.html');
    expect(index).toHaveLength(1);
    expect(index[0].sha256).not.toBe(parseNewc(first).find((e) => e.path === 'srv/www/index.html')!.sha256);
    expect(entries).toHaveLength(5);
  });

  it('refuses data that is not a newc archive, saying where', () => {
    expect(() => parseNewc(Buffer.from('PK\u0003\u0004 this is a zip file, not cpio at all, and long enough to hold a header'.repeat(3)))).toThrow(/not a newc cpio archive: bad magic .* at byte 0/);
  });
});
