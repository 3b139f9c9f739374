// `yoke test --hardware` and `yoke lint-ova` as a user runs them: the sample's OVA disks booted
// on VMware's paravirtual hardware through the CLI, a wrong hardware name refused as usage, and
// the lint's exit codes on a good OVA, a broken one and a missing file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { qemuOf, sampleVariant, yoke } from '../cli/cli-harness';

describe('yoke test --hardware and yoke lint-ova (CLI)', () => {
  let home: string;
  let sample: string;
  let ova: string;
  beforeAll(async () => {
    home = await makeTestHome('yoke-cli-hw-');
    // raw and ova only: the exports a hardware test boots.
    sample = sampleVariant((y) => y.replace(/^outputs:.*$/m, 'outputs: [raw, ova]').replace(/^flavours:\n(?:  .*\n)+/m, ''), 'hello-web');
    const b = await yoke(['build', sample, '--json'], { home });
    expect(b.code, b.stderr).toBe(0);
    ova = JSON.parse(b.stdout).build.artifacts.find((a: { format: string }) => a.format === 'ova').path;
  }, 300_000);
  afterAll(() => {
    expect(qemuOf(home)).toEqual([]);
    removeTestHomes();
  });

  it('boots the OVA disks on pvscsi + vmxnet3 and passes every check', async () => {
    const r = await yoke(['test', sample, '--hardware', 'vmware-pvscsi', '--json'], { home });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.runs).toHaveLength(1);
    expect(doc.runs[0]).toMatchObject({ hardware: 'vmware-pvscsi', status: 'passed' });
    for (const c of doc.runs[0].checks) expect(c.status, `${c.name}: ${c.message}`).toBe('passed');
    expect(doc.runs[0].checks.map((c: { kind: string }) => c.kind)).toEqual(expect.arrayContaining(['mount', 'http']));
    const log = fs.readFileSync(doc.runs[0].consoleLog, 'utf8');
    expect(log).toContain('yoke: mounted LABEL=data on /data');
  }, 300_000);

  it('refuses an unknown hardware name as a usage error, naming the known ones', async () => {
    const r = await yoke(['test', sample, '--hardware', 'hyperv'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown hardware "hyperv".*virtualbox-sata/);
  });

  it('lint-ova: 0 on the build OVA, 1 with findings naming the importer, 2 for a missing file', async () => {
    const ok = await yoke(['lint-ova', ova], { home });
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('no findings');
    // The same OVA with one manifest line in the spaced form ESXi cannot read (same length, so the tar stays valid).
    const bad = path.join(home, 'bad.ova');
    const text = fs.readFileSync(ova).toString('latin1');
    const patched = text.replace('SHA256(hello-web-os.vmdk)= ', 'SHA256 (hello-web-os.vmdk)=');
    expect(patched.length).toBe(text.length);
    expect(patched).not.toBe(text);
    fs.writeFileSync(bad, Buffer.from(patched, 'latin1'));
    const r = await yoke(['lint-ova', bad], { home });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/hello-web-1\.0\.0\.mf:2: .*is not a manifest line.* \[breaks: VMware\]/);
    const missing = await yoke(['lint-ova', path.join(home, 'nope.ova')], { home });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/does not exist/);
  });
});
