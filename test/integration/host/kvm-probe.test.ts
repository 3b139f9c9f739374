import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KernelInfo } from '../../../src-main/build/kernel';
import { bootProbe, probeKvm } from '../../../src-main/host/kvm-probe';
import { probeCacheFile } from '../../../src-main/host/probe-cache';
import { probeProcesses, sharedKernel, tmpHome } from './helpers';

let kernel: KernelInfo;
const homes: string[] = [];
beforeAll(async () => {
  kernel = await sharedKernel();
});
afterAll(() => {
  for (const h of homes) fs.rmSync(h, { recursive: true, force: true });
});

describe('the test boot behind the KVM probe', () => {
  it('reaches the known point under tcg (the probe itself works)', async () => {
    const r = await bootProbe({ accel: 'tcg', kernel: kernel.path, timeoutMs: 30_000 });
    console.log(`tcg probe boot: ${r.ms} ms — ${r.reason}`);
    expect(r.reached).toBe(true);
    expect(probeProcesses()).toEqual([]);
  });

  it('gives up on KVM here within its timeout, with the reason, and leaves no qemu behind', async () => {
    const t0 = performance.now();
    const r = await bootProbe({ accel: 'kvm', kernel: kernel.path, timeoutMs: 3000 });
    console.log(`forced kvm probe: ${(performance.now() - t0).toFixed(0)} ms — ${r.reason}`);
    expect(r.reached).toBe(false);
    expect(r.reason).toMatch(/kvm (hung|ended)/);
    expect(probeProcesses()).toEqual([]);
  });
});

describe('probeKvm with a CPU that claims vmx (the real boot decides)', () => {
  it('probes once, caches the answer in host-probe.json, and probes again on refresh', async () => {
    const home = tmpHome();
    homes.push(home);
    const cpuinfo = path.join(home, 'cpuinfo');
    fs.writeFileSync(cpuinfo, 'processor\t: 0\nflags\t\t: fpu vmx sse2\n');
    const opts = { cpuinfoFile: cpuinfo, kernelPath: kernel.path };

    const first = await probeKvm(home, opts);
    console.log(`first probe: ${first.probeMs} ms — ${first.reason}`);
    expect(first).toMatchObject({ kvm: 'unusable', using: 'tcg' });
    expect(first.probeMs).toBeGreaterThan(0);
    const cached = JSON.parse(fs.readFileSync(probeCacheFile(home), 'utf8'));
    expect(cached.accel.reason).toBe(first.reason);

    const again = await probeKvm(home, opts);
    expect(again).toEqual({ ...first, probeMs: 0 });

    fs.writeFileSync(probeCacheFile(home), JSON.stringify({ ...cached, accel: { ...cached.accel, reason: 'stale' } }));
    expect((await probeKvm(home, opts)).reason).toBe('stale');
    const refreshed = await probeKvm(home, { ...opts, refresh: true });
    expect(refreshed.reason).not.toBe('stale');
    expect(refreshed.probeMs).toBeGreaterThan(0);
  });
});
