import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec, summarizeSpec } from '../../../src-main/spec/load';
import { fixture, tmpAppliance } from './fixtures';

const G = 1024 ** 3;
const M = 1024 ** 2;

describe('the normalized spec', () => {
  it('turns the full example into bytes, absolute paths and named checks', () => {
    const dir = fixture('valid');
    const r = loadSpec(dir);
    expect(r.problems).toEqual([]);
    const s = r.spec!;
    expect(s.dir).toBe(dir);
    expect(s.name).toBe('hello-web');
    expect(s.version).toBe('1.0.0');
    expect(s.description).toBe('A tiny web appliance');
    expect(s.base).toEqual({ kernel: path.join(dir, 'kernel/bzImage'), userland: 'busybox', release: 'bookworm', packages: [], state: [] });
    expect(s.rootfs).toEqual({ overlay: path.join(dir, 'rootfs'), exclude: ['**/.git'] });
    expect(s.services).toEqual([
      { name: 'web', run: 'httpd -f -p 80 -h /srv/www' },
      { name: 'ticker', run: 'while true; do date > /tmp/now; sleep 1; done' },
    ]);
    expect(s.disks).toEqual({ os: { sizeBytes: 256 * M }, data: { sizeBytes: G, label: 'data', mount: '/data' } });
    expect(s.flavours).toEqual({ small: { dataBytes: G }, large: { dataBytes: 20 * G } });
    // An ova/vmdk/vdi output declares VirtualBox and VMware hardware without being asked.
    expect(s.vm).toEqual({ memoryBytes: 512 * M, cpus: 2, console: 'shell', hardware: ['virtio', 'virtualbox', 'vmware'] });
    expect(s.network.forward).toEqual([{ guest: 80 }, { guest: 22, host: 2222 }]);
    expect(s.outputs).toEqual(['raw', 'qcow2', 'vmdk', 'vhd', 'vdi', 'ova']);
    expect(s.upgrade).toEqual({ seed: ['echo keep-me > /data/marker'], verify: ['grep -q keep-me /data/marker'], readyWithinS: 120, settleS: 3, commitChecks: false });
    expect(s.hooks.postBuild).toEqual([path.join(dir, 'scripts/publish.sh')]);
    expect(s.checks).toEqual([
      { kind: 'service', name: 'service web', service: 'web', timeoutMs: 30000, line: 39 },
      { kind: 'port', name: 'port 80', port: 80, timeoutMs: 10000, line: 40 },
      { kind: 'http', name: 'front page', port: 80, path: '/', status: 200, contains: 'hello', timeoutMs: 30000, line: 42 },
      { kind: 'mount', name: 'mount /data', path: '/data', timeoutMs: 30000, line: 44 },
      { kind: 'file', name: 'file /srv/www/index.html', path: '/srv/www/index.html', contains: 'hello', mode: '0644', timeoutMs: 500, line: 45 },
      { kind: 'command', name: 'command cat /proc/cpuinfo | grep -c processor', run: 'cat /proc/cpuinfo | grep -c processor', stdout: '/^[12]$/', exitCode: 0, timeoutMs: 2000, line: 47 },
      { kind: 'port', name: 'port 80 #2', port: 80, timeoutMs: 30000, line: 49 },
    ]);
    expect((s.source as { vm: unknown }).vm).toEqual({ memory: '512MiB', cpus: 2 });
  });

  it('fills in every default for a spec of only name and version', () => {
    const s = loadSpec(fixture('minimal')).spec!;
    expect(s.base).toEqual({ kernel: 'auto', userland: 'busybox', release: 'bookworm', packages: [], state: [] });
    expect(s.rootfs).toEqual({ overlay: null, exclude: [] });
    expect(s.services).toEqual([]);
    expect(s.disks).toEqual({ os: { sizeBytes: 256 * M }, data: { sizeBytes: G, label: 'data', mount: '/data' } });
    expect(s.flavours).toEqual({});
    expect(s.vm).toEqual({ memoryBytes: 256 * M, cpus: 1, console: 'shell', hardware: ['virtio'] });
    expect(s.network.forward).toEqual([]);
    expect(s.network.outbound).toBe(false); // issue 15 item 4: no outbound network unless asked for
    expect(s.outputs).toEqual(['raw', 'qcow2']);
    expect(s.checks).toEqual([]);
    expect(s.upgrade).toEqual({ seed: [], verify: [], readyWithinS: 120, settleS: 3, commitChecks: false });
    expect(s.hooks.postBuild).toEqual([]);
    expect(s.description).toBeUndefined();
  });

  it("drops the data disk only for data: none or data: false, and refuses flavours then", () => {
    for (const v of ['none', 'false']) {
      const s = loadSpec(tmpAppliance(`name: a\nversion: 1.0.0\ndisks:\n  data: ${v}\n`)).spec!;
      expect(s.disks.data).toBeNull();
    }
    const r = loadSpec(tmpAppliance('name: a\nversion: 1.0.0\ndisks:\n  data: none\nflavours:\n  big: { data: 2G }\n'));
    expect(r.problems.map((p) => [p.line, p.col, p.message])).toEqual([
      [5, 1, "flavours set data disk sizes, but disks.data is 'none'; remove flavours or add a data disk"],
    ]);
  });

  it('reads the short forms of mount, file and command checks', () => {
    const dir = tmpAppliance('name: a\nversion: 1.0.0\nchecks:\n  - mount: { path: /data, fstype: ext4 }\n  - file: /etc/passwd\n  - command: "true"\n  - command: { run: "exit 3", exit-code: 3 }\n', {});
    const checks = loadSpec(dir).spec!.checks;
    expect(checks.map((c) => c.name)).toEqual(['mount /data', 'file /etc/passwd', 'command true', 'command exit 3']);
    expect(checks[0]).toMatchObject({ kind: 'mount', path: '/data', fstype: 'ext4' });
    expect(checks[2]).toMatchObject({ kind: 'command', run: 'true', exitCode: 0 });
    expect(checks[3]).toMatchObject({ kind: 'command', exitCode: 3 });
  });

  it('summarizes a valid spec and still names a broken one', () => {
    const ok = summarizeSpec(loadSpec(fixture('valid')));
    expect(ok).toMatchObject({ valid: true, name: 'hello-web', version: '1.0.0', checks: 7, memory: '512M', disks: { os: '256M', data: '1G' } });
    expect(ok.forwards).toEqual([{ guest: 80 }, { guest: 22, host: 2222 }]);
    const bad = summarizeSpec(loadSpec(fixture('bad-size')));
    expect(bad).toMatchObject({ valid: false, name: 'hello-web', version: '1.0.0', checks: 0, services: [], disks: {} });
    expect(bad.problems).toHaveLength(1);
  });

  it('takes vm.hardware as written, adds virtio, and refuses an unknown family at its line', () => {
    const ok = loadSpec(tmpAppliance('name: a\nversion: 1.0.0\nvm:\n  hardware: [vmware]\noutputs: [raw]\n'));
    expect(ok.spec!.vm.hardware).toEqual(['virtio', 'vmware']);
    const bad = loadSpec(tmpAppliance('name: a\nversion: 1.0.0\nvm:\n  hardware: [hyperv]\n'));
    expect(bad.spec).toBeUndefined();
    expect(bad.problems[0]).toMatchObject({ line: 4 });
    expect(bad.problems[0].message).toMatch(/expected one of virtio, virtualbox, vmware, found 'hyperv'/);
  });

  // Issue 15 item 11: rootfs/ was ignored without a rootfs: key, although the schema says overlay defaults to rootfs.
  it('uses the folder\'s rootfs/ as the overlay when there is no rootfs: key', () => {
    const dir = tmpAppliance('name: a\nversion: 1.0.0\n', { 'rootfs/etc/motd': 'hi\n' });
    const r = loadSpec(dir);
    expect(r.problems).toEqual([]);
    expect(r.spec!.rootfs).toEqual({ overlay: path.join(dir, 'rootfs'), exclude: [] });
  });

  it('refuses a default rootfs/ that is a symlink out of the folder', () => {
    const dir = tmpAppliance('name: a\nversion: 1.0.0\n');
    fs.mkdirSync(path.join(path.dirname(dir), 'elsewhere'));
    fs.symlinkSync(path.join(path.dirname(dir), 'elsewhere'), path.join(dir, 'rootfs'));
    const r = loadSpec(dir);
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^overlay directory 'rootfs' resolves to .* outside the appliance folder.*no rootfs: key\)$/)]);
  });
});
