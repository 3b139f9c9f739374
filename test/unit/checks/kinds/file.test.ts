import { describe, expect, it } from 'vitest';
import { fileCommand, readFile, sameMode } from '../../../../src-main/checks/kinds/file';

const ok = (stdout: string, exitCode = 0, stderr = '') => ({ stdout, stderr, exitCode });
const base = { name: 'c', timeoutMs: 1000, line: 1 };

describe('file', () => {
  const f = { ...base, kind: 'file' as const, path: "/srv/it's.html" };
  it('quotes the path and greps only when asked', () => {
    expect(fileCommand(f)).toBe(`[ -e '/srv/it'\\''s.html' ] || { echo missing; exit 3; }; stat -c '%a %F' '/srv/it'\\''s.html'`);
    expect(fileCommand({ ...f, contains: 'a b' })).toContain(`grep -qF -e 'a b'`);
  });
  it('reads existence, mode and content', () => {
    expect(readFile(f, ok('', 3)).detail).toBe("/srv/it's.html does not exist");
    expect(readFile({ ...f, mode: '0644' }, ok('644 regular file\n'))).toEqual({ ok: true, detail: "/srv/it's.html exists (regular file, mode 0644)" });
    expect(readFile({ ...f, mode: '600' }, ok('644 regular file\n')).detail).toMatch(/but the mode should be 600$/);
    expect(readFile({ ...f, contains: 'hi' }, ok('644 regular file\nlacks\n')).detail).toMatch(/does not contain "hi"$/);
    expect(readFile({ ...f, contains: 'hi' }, ok('644 regular file\ncontains\n')).ok).toBe(true);
  });
  it('compares modes as octal numbers', () => {
    expect(sameMode('0644', '644')).toBe(true);
    expect(sameMode('0o755', '755')).toBe(true);
    expect(sameMode('4755', '4755')).toBe(true);
    expect(sameMode('644', '640')).toBe(false);
    expect(sameMode('rw-', '644')).toBe(false);
  });
});
