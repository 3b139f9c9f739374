import { describe, expect, it } from 'vitest';
import { CancelledError, formatCommandLine, runTool, ToolFailedError, ToolMissingError } from '../../../src-main/tools/run';

describe('runTool', () => {
  it('names the apt package when the program is missing', async () => {
    const err = await runTool({ tool: 'yoke-no-such-tool', aptPackage: 'yoke-pkg', argv: [] }).catch((e) => e);
    expect(err).toBeInstanceOf(ToolMissingError);
    expect(err.message).toBe('The program "yoke-no-such-tool" is not installed. Install it with: sudo apt-get install yoke-pkg');
  });

  it('says the command line and the end of stderr when a program fails', async () => {
    const err = await runTool({ tool: 'sh', aptPackage: 'dash', argv: ['-c', 'echo first >&2; echo why it broke >&2; exit 3'] }).catch((e) => e);
    expect(err).toBeInstanceOf(ToolFailedError);
    expect(err.message).toBe("Failed with exit code 3: sh -c 'echo first >&2; echo why it broke >&2; exit 3'\nfirst\nwhy it broke");
  });

  it('tells a crash from a failure', async () => {
    const err = await runTool({ tool: 'sh', aptPackage: 'dash', argv: ['-c', 'kill -SEGV $$'] }).catch((e) => e);
    expect(err.message).toMatch(/^Crashed with SIGSEGV: sh -c/);
  });

  it('stops the program on cancel and on timeout', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const t0 = Date.now();
    await expect(runTool({ tool: 'sleep', aptPackage: 'coreutils', argv: ['10'], signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
    await expect(runTool({ tool: 'sleep', aptPackage: 'coreutils', argv: ['10'], timeoutMs: 50 })).rejects.toThrow(/^Timed out after 50 ms: sleep 10/);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('returns output and quotes arguments readably', async () => {
    expect((await runTool({ tool: 'sh', aptPackage: 'dash', argv: ['-c', 'cat'], input: 'piped' })).stdout).toBe('piped');
    expect(formatCommandLine('mcopy', ['-i', 'a b.img@@1048576', "it's"])).toBe(`mcopy -i 'a b.img@@1048576' 'it'\\''s'`);
  });
});
