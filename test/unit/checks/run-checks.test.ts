import { describe, expect, it } from 'vitest';
import { backoffDelay, runChecks, type CheckTarget } from '../../../src-main/checks/run-checks';
import type { Check } from '../../../src-main/spec/types';
import { httpTryTimeout } from '../../../src-main/checks/kinds/http';

describe('retry schedule', () => {
  it('backs off from 0.1 s doubling to 0.5 s in the guest and 0.25 s for HTTP', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n))).toEqual([100, 200, 400, 500, 500]);
    expect([0, 1, 2, 3].map((n) => backoffDelay(n, 'http'))).toEqual([100, 200, 250, 250]);
  });
  it('gives HTTP tries 0.2 s at first, growing to 1 s for slow guests', () => {
    expect([0, 1, 2, 4, 8, 20].map(httpTryTimeout)).toEqual([200, 250, 313, 488, 1000, 1000]);
  });
});

describe('what a failed check reports', () => {
  // A fake guest, named so: one that answers the first try and then stops answering (a host too
  // loaded for the last try's short timeout) cannot be made on cue with a real VM.
  it('keeps what the guest last answered when the final try got no answer', async () => {
    let tries = 0;
    const fakeLoadedGuest: CheckTarget = {
      async execute() {
        tries += 1;
        if (tries === 1) return { stdout: 'missing\n', stderr: '', exitCode: 3 };
        throw new Error('The command `[ -e /srv/x ]` did not finish within 150 ms; it was stopped and killed.');
      },
      hostPort: () => undefined,
      isRunning: true,
      exited: new Promise(() => {}),
      console: { tail: () => [], onData: () => () => undefined, output: '' },
    };
    const check = { name: 'file /srv/x', kind: 'file', path: '/srv/x', timeoutMs: 600, line: 1 } as Check;
    const [r] = await runChecks(fakeLoadedGuest, [check]);
    expect(tries).toBeGreaterThan(1);
    expect(r.status).toBe('failed');
    expect(r.message).toMatch(/last seen: \/srv\/x does not exist \(the last try got no answer: The command .* did not finish within 150 ms/);
  });
});
