import { describe, expect, it } from 'vitest';
import { readCommand, stdoutMatches } from '../../../../src-main/checks/kinds/command';

const ok = (stdout: string, exitCode = 0, stderr = '') => ({ stdout, stderr, exitCode });
const base = { name: 'c', timeoutMs: 1000, line: 1 };

describe('command', () => {
  const c = { ...base, kind: 'command' as const, run: 'grep -c processor /proc/cpuinfo', exitCode: 0 };
  it('matches trimmed stdout exactly, or a /regex/', () => {
    expect(stdoutMatches('1', ' 1\n')).toBe(true);
    expect(stdoutMatches('1', '12\n')).toBe(false);
    expect(stdoutMatches('/^v\\d+\\./', 'v2.1\n')).toBe(true);
    expect(stdoutMatches('/HELLO/i', 'hello')).toBe(true);
    expect(stdoutMatches('/[/', '[')).toBe(false);
    // A command's own line ending is not part of its answer.
    expect(stdoutMatches('/^[1-9][0-9]*$/', '2\n')).toBe(true);
    expect(stdoutMatches('/^[1-9][0-9]*$/', '2\r\n')).toBe(true);
    expect(stdoutMatches('/^[1-9][0-9]*$/', 'x2\n')).toBe(false);
  });
  it('says what it got when the exit code or output is wrong', () => {
    expect(readCommand(c, ok('', 2, 'grep: no such file\n')).detail).toBe('`grep -c processor /proc/cpuinfo` exited with 2, expected 0; stderr "grep: no such file", stdout ""');
    expect(readCommand({ ...c, stdout: '1' }, ok('2\n')).detail).toBe('`grep -c processor /proc/cpuinfo` printed "2", expected "1"');
    expect(readCommand({ ...c, exitCode: 1 }, ok('', 1)).ok).toBe(true);
  });
});
