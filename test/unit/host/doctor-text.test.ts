import { describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../../src-main/api/contract';
import { formatDoctorReport } from '../../../src-main/host/doctor-text';

const base: DoctorReport = {
  ok: true,
  home: '/h',
  tools: [
    { name: 'qemu-img', found: true, path: '/usr/bin/qemu-img', version: '7.2.22', aptPackage: 'qemu-utils', purpose: 'converts disks' },
    { name: 'zstd', found: true, path: '/usr/bin/zstd', version: '1.5.4', aptPackage: 'zstd', purpose: 'compresses' },
  ],
  kernel: { found: true, path: '/boot/vmlinuz-6.1', source: 'host', detail: '6.1 (the host kernel)' },
  accel: { kvm: 'unusable', using: 'tcg', reason: '/proc/cpuinfo has no vmx/svm flags', probeMs: 0 },
  missingApt: [],
};

describe('formatDoctorReport', () => {
  it('shows a table of tools, the kernel and the accelerator line', () => {
    const text = formatDoctorReport(base);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^TOOL\s+STATUS\s+VERSION\s+PATH$/);
    expect(lines[1]).toMatch(/^qemu-img\s+found\s+7\.2\.22\s+\/usr\/bin\/qemu-img$/);
    expect(text).toContain('KVM: unusable, using tcg — /proc/cpuinfo has no vmx/svm flags');
    expect(text).toContain('Kernel: /boot/vmlinuz-6.1 — 6.1 (the host kernel)');
    expect(text).toContain('Everything Yoke needs is installed.');
  });

  it('ends with the exact install command when something is missing, and says why a found file is unusable', () => {
    const text = formatDoctorReport({
      ...base,
      ok: false,
      tools: [
        { ...base.tools[0], found: false, path: undefined, version: undefined },
        { name: 'busybox', found: false, path: '/bin/busybox', aptPackage: 'busybox-static', purpose: 'userland', problem: 'dynamically linked' },
      ],
      accel: { kvm: 'absent', using: 'tcg', reason: '/dev/kvm does not exist', probeMs: 0 },
      missingApt: ['qemu-utils', 'busybox-static'],
      aptCommand: 'sudo apt-get install -y qemu-utils busybox-static',
    });
    expect(text).toMatch(/^qemu-img\s+MISSING\s+\(apt: qemu-utils\)$/m);
    expect(text).toContain('  busybox: dynamically linked');
    expect(text).toContain('KVM: absent, using tcg — /dev/kvm does not exist');
    expect(text.trimEnd().split('\n').pop()).toBe('  sudo apt-get install -y qemu-utils busybox-static');
  });
});
