import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kvmProbeArgs, lastLine, probeKvm } from '../../../src-main/host/kvm-probe';
import { probeCacheFile } from '../../../src-main/host/probe-cache';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-kvm-unit-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const p = path.join(root, name);
  fs.writeFileSync(p, text);
  return p;
}
const withVmx = () => file('cpuinfo-vmx', 'processor\t: 0\nflags\t\t: fpu vme vmx sse2\n');
const withoutFlags = () => file('cpuinfo-none', 'processor\t: 0\nflags\t\t: fpu vme hypervisor sse2\n');

describe('kvmProbeArgs', () => {
  it('boots the kernel with no root under the asked accelerator, console to a file, exiting on panic', () => {
    const a = kvmProbeArgs({ accel: 'kvm', kernel: '/k/vmlinuz', serialFile: '/t/serial.log' });
    expect(a.join(' ')).toContain('-accel kvm -cpu host');
    expect(a).toEqual(expect.arrayContaining(['-no-reboot', '-nodefaults', '-kernel', '/k/vmlinuz', '-serial', 'file:/t/serial.log']));
    expect(a[a.indexOf('-append') + 1]).toMatch(/console=ttyS0 panic=-1/);
    expect(a).not.toContain('-drive');
    expect(kvmProbeArgs({ accel: 'tcg', kernel: '/k', serialFile: '/s' }).join(' ')).toContain('-accel tcg -cpu max');
  });
});

describe('lastLine', () => {
  it('gives the last console line without its timestamp', () => {
    expect(lastLine('[    0.000000] Linux version 6.1\n[    0.1] smpboot: CPU0: Intel\n\n')).toBe('smpboot: CPU0: Intel');
    expect(lastLine('')).toBeUndefined();
    expect(lastLine('x'.repeat(300))!.length).toBe(160);
  });
});

describe('probeKvm cheap answers', () => {
  it('says absent when there is no /dev/kvm', async () => {
    const home = path.join(root, 'h1');
    const r = await probeKvm(home, { devKvm: path.join(root, 'no-such-kvm') });
    expect(r).toMatchObject({ kvm: 'absent', using: 'tcg' });
    expect(r.reason).toContain('does not exist');
  });

  it('says unusable at once when the CPU offers no vmx/svm, without starting qemu', async () => {
    const home = path.join(root, 'h2');
    const t0 = performance.now();
    const r = await probeKvm(home, { devKvm: file('fake-kvm', ''), cpuinfoFile: withoutFlags(), qemuPath: '/nonexistent/qemu' });
    console.log(`cpuinfo answer in ${(performance.now() - t0).toFixed(1)} ms`);
    expect(r).toMatchObject({ kvm: 'unusable', using: 'tcg', probeMs: 0 });
    expect(r.reason).toMatch(/has no vmx\/svm flags/);
    expect(fs.existsSync(home)).toBe(false); // nothing to cache, nothing written
  });

  it('does not claim KVM works without a test boot, and does not cache that', async () => {
    const home = path.join(root, 'h3');
    const r = await probeKvm(home, { devKvm: file('fake-kvm2', ''), cpuinfoFile: withVmx(), qemuPath: '/usr/bin/qemu-system-x86_64', qemuVersion: '7.2', kernelPath: null });
    expect(r).toMatchObject({ kvm: 'unusable', using: 'tcg' });
    expect(r.reason).toMatch(/needs a kernel.*yoke build/);
    expect(fs.existsSync(probeCacheFile(home))).toBe(false);
  });

  it('says why when qemu is not installed', async () => {
    const r = await probeKvm(path.join(root, 'h4'), { devKvm: file('fake-kvm3', ''), cpuinfoFile: withVmx(), qemuPath: null });
    expect(r.reason).toMatch(/qemu-system-x86_64 is not installed/);
  });
});
