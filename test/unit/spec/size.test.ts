import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src-main/spec/duration';
import { formatSize, parseSize } from '../../../src-main/spec/size';

describe('sizes', () => {
  it.each([
    ['512M', 512 * 1024 ** 2],
    ['1G', 1024 ** 3],
    ['20G', 20 * 1024 ** 3],
    ['1T', 1024 ** 4],
    ['64K', 65536],
    ['1.5G', 1.5 * 1024 ** 3],
    ['256MiB', 256 * 1024 ** 2],
    ['256MB', 256 * 1024 ** 2],
    ['2g', 2 * 1024 ** 3],
    ['4096B', 4096],
  ])('%s is %i bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['1Q', '12', 'G', '-1G', '1 G B', '', 'lots'])('%j is not a size', (text) => expect(parseSize(text)).toBeNull());

  it('formats bytes back to the shortest exact unit', () => {
    expect([268435456, 1024 ** 3, 1536 * 1024, 1000].map(formatSize)).toEqual(['256M', '1G', '1536K', '1000B']);
  });
});

describe('timeouts', () => {
  it.each([
    ['10s', 10000],
    ['500ms', 500],
    ['2m', 120000],
    [5, 5000],
    [0.25, 250],
  ] as const)('%j is %i ms', (v, ms) => expect(parseDuration(v)).toBe(ms));

  it.each(['soon', '10', '-1s', 0, -3, '1h'])('%j is refused', (v) => expect(parseDuration(v)).toBeNull());
});
