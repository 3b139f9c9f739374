import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src-main/checks/run-checks';
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
