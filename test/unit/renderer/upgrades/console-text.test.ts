import { describe, expect, it } from 'vitest';
import { cleanConsole } from '../../../../src-renderer/features/upgrades/console-text';

describe('cleanConsole', () => {
  it('drops the terminal control sequences a shell sends, keeping the text', () => {
    expect(cleanConsole('hello-web:/# \x1b[6nyoke: shutting down\r\n')).toBe('hello-web:/# yoke: shutting down\n');
    expect(cleanConsole('\x1b[1;32mok\x1b[0m \x1b]0;title\x07done\x07')).toBe('ok done');
  });

  it('keeps tabs, newlines and non-ASCII text', () => {
    expect(cleanConsole('a\tb\nc — ✓\n')).toBe('a\tb\nc — ✓\n');
  });
});
