import { describe, expect, it } from 'vitest';
import { CHUNK, frameCommand, parseFramed, shQuote, syncLine } from '../../../src-main/vm/control-frame';

/** What the guest shell prints for a frame: the markers it computes around the outputs. */
function answer(id: number, stdout: string, stderr: string, code: number): string {
  return `YK_${id}_B\n${stdout}\nYK_${id}_M\n${stderr}\nYK_${id}_E_${code}\n`;
}

describe('frameCommand', () => {
  it('sends a short printable command single-quoted, with computed markers', () => {
    const f = frameCommand(`echo 'hi'`, 4242);
    expect(f.chunks).toEqual([]);
    expect(f.run).toContain(`( eval 'echo '\\''hi'\\''' ) </dev/null`);
    expect(f.run).toContain('"YK_$((4242+0))_B"');
    // The literal markers never appear in the line itself, so an echo cannot fake an answer.
    expect(f.run).not.toContain('YK_4242_');
  });

  it('base64-encodes commands with newlines or control characters', () => {
    const f = frameCommand('echo a\necho b', 7);
    expect(f.chunks).toHaveLength(1);
    expect(f.chunks[0].line).toBe(`yc=${Buffer.from('echo a\necho b').toString('base64')}; echo "YK_$((7+0))_C0"`);
    expect(f.run).toContain('( eval "$(echo $yc | base64 -d)" )');
  });

  it('splits a long command into acknowledged chunks that stay under the line limit', () => {
    const cmd = 'x'.repeat(5000);
    const f = frameCommand(cmd, 9);
    const b64 = Buffer.from(cmd).toString('base64');
    expect(f.chunks.length).toBe(Math.ceil(b64.length / CHUNK));
    expect(f.chunks[1].line.startsWith('yc=${yc}')).toBe(true);
    expect(f.chunks.map((c) => c.ack)).toEqual(f.chunks.map((_, i) => `YK_9_C${i}\n`));
    for (const c of f.chunks) expect(c.line.length).toBeLessThan(1000);
    const joined = f.chunks.map((c) => /^yc=(?:\$\{yc\})?([A-Za-z0-9+/=]+);/.exec(c.line)![1]).join('');
    expect(Buffer.from(joined, 'base64').toString()).toBe(cmd);
  });
});

describe('parseFramed', () => {
  const f = frameCommand('x', 55);

  it('splits stdout, stderr and exit code', () => {
    const r = parseFramed(`noise\n${answer(55, 'out\n', 'err\n', 3)}[1]+ Done\n`, f);
    expect(r).toEqual({ stdout: 'out\n', stderr: 'err\n', exitCode: 3, rest: '[1]+ Done\n' });
  });

  it('keeps output without a final newline, and empty output empty', () => {
    expect(parseFramed(answer(55, 'no newline', '', 0), f)).toMatchObject({ stdout: 'no newline', stderr: '' });
    expect(parseFramed(answer(55, '', '', 0), f)).toMatchObject({ stdout: '', stderr: '' });
  });

  it('waits while the answer is incomplete', () => {
    const full = answer(55, 'a\n', 'b\n', 0);
    for (let cut = 0; cut < full.length; cut++) expect(parseFramed(full.slice(0, cut), f)).toBeNull();
  });

  it('ignores the answer of another command', () => {
    expect(parseFramed(answer(54, 'old', '', 0), f)).toBeNull();
  });
});

describe('syncLine and shQuote', () => {
  it('turns echo and output processing off and kills a stopped job only when asked', () => {
    expect(syncLine(3, false).line).not.toContain('kill');
    expect(syncLine(3, true).line).toContain('kill -KILL %%');
    expect(syncLine(3, true).line).toContain('stty -echo -opost');
    expect(syncLine(3, true).token).toBe('YK_3_S\n');
  });
  it('quotes single quotes', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
  });
});
