import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROBE_TTL_MS, isFresh, probeCacheFile, readProbeCache, writeProbeCache } from '../../../src-main/host/probe-cache';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-probe-cache-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const key = { qemu: '7.2.22', hostKernel: '6.1.0-26-amd64' };
const accel = { kvm: 'unusable' as const, using: 'tcg' as const, reason: 'a test Linux boot under kvm hung', probeMs: 3001 };

describe('KVM probe cache', () => {
  it('holds for a day for the same qemu and host kernel', () => {
    const at = 1_000_000;
    expect(isFresh({ key, at }, key, at + 1000)).toBe(true);
    expect(isFresh({ key, at }, key, at + PROBE_TTL_MS)).toBe(false);
    expect(isFresh({ key, at }, { ...key, qemu: '8.0.0' }, at + 1000)).toBe(false);
    expect(isFresh({ key, at }, { ...key, hostKernel: '6.2.0' }, at + 1000)).toBe(false);
    expect(isFresh({ key, at }, key, at - 5000)).toBe(false); // clock went backwards: probe again
  });

  it('round-trips through host-probe.json in the home, creating the home', () => {
    const home = path.join(root, 'a', 'home');
    writeProbeCache(home, key, accel, 5000);
    expect(fs.existsSync(probeCacheFile(home))).toBe(true);
    expect(readProbeCache(home, key, 6000)).toEqual(accel);
    expect(readProbeCache(home, { ...key, qemu: 'other' }, 6000)).toBeNull();
    expect(fs.readdirSync(home)).toEqual(['host-probe.json']); // no temp file left
  });

  it('treats a damaged or missing file as no answer', () => {
    const home = path.join(root, 'b');
    expect(readProbeCache(home, key)).toBeNull();
    fs.mkdirSync(home);
    fs.writeFileSync(probeCacheFile(home), '{"key": ');
    expect(readProbeCache(home, key)).toBeNull();
    fs.writeFileSync(probeCacheFile(home), '[]');
    expect(readProbeCache(home, key)).toBeNull();
  });
});
