import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src-main/checks/run-checks';
import { httpTryTimeout } from '../../../src-main/checks/http-probe';

describe('retry schedule', () => {
  it('backs off from 0.1 s doubling to 1 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(backoffDelay)).toEqual([100, 200, 400, 800, 1000, 1000, 1000]);
  });
  it('gives HTTP tries 0.2 s at first, growing to 1 s for slow guests', () => {
    expect([0, 1, 2, 3, 4, 5].map(httpTryTimeout)).toEqual([200, 300, 450, 675, 1000, 1000]);
  });
});
