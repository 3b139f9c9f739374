import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { rawOnly, sampleVariant, yoke } from './cli-harness';

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('yoke build (CLI)', () => {
  let home: string;
  // A copy: the first build of a folder writes appliance.pub into it, never into the repository.
  let SAMPLE: string;
  beforeAll(async () => {
    home = await makeTestHome('yoke-cli-build-');
    SAMPLE = sampleVariant();
  });
  afterAll(removeTestHomes);

  it('builds the sample and prints the documented --json document', async () => {
    const r = await yoke(['build', SAMPLE, '--json'], { home });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['build']);
    const b = doc.build;
    expect(b).toMatchObject({ appliance: 'hello-web', version: '1.0.0', status: 'succeeded' });
    expect(typeof b.id).toBe('number');
    expect(b.durationMs).toBeGreaterThan(0);
    const formats = new Set(b.artifacts.map((a: { format: string }) => a.format));
    for (const f of ['raw', 'qcow2', 'vmdk', 'vhd', 'vdi', 'ova']) expect(formats).toContain(f);
    const ova = b.artifacts.find((a: { format: string }) => a.format === 'ova');
    expect(ova).not.toHaveProperty('disk');
    const DISK_FORMATS = ['raw', 'qcow2', 'vmdk', 'vhd', 'vdi'];
    for (const a of b.artifacts) {
      // The update medium is a disk image too, but of neither disk: its kind says what it is.
      if (DISK_FORMATS.includes(a.format) && a.kind !== 'update-medium') expect(['os', 'data']).toContain(a.disk);
      else expect(a).not.toHaveProperty('disk'); // the OVA, the update packages and the medium hold both or neither
    }
    expect(b.artifacts.filter((a: { kind: string }) => a.kind === 'update-medium').map((a: { path: string }) => path.basename(a.path))).toEqual(['hello-web-1.0.0.update.vmdk', 'hello-web-1.0.0.update.raw']);
    const os = b.artifacts.find((a: { format: string; disk?: string }) => a.format === 'raw' && a.disk === 'os');
    expect(fs.statSync(os.path).size).toBe(os.bytes);
    expect(sha256(os.path)).toBe(os.sha256);
    // The human progress went to stderr, stdout holds the JSON document only.
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('two cold builds in separate data directories (same signing key) give byte-identical artifacts', async () => {
    const first = await yoke(['build', SAMPLE, '--json', '--no-cache'], { home });
    expect(first.code, first.stderr).toBe(0);
    const other = await makeTestHome('yoke-cli-build2-');
    // The update-signing key is an input (its public half is built into the image); copy it as a release pipeline would.
    fs.cpSync(path.join(home, 'keys'), path.join(other, 'keys'), { recursive: true });
    const second = await yoke(['build', SAMPLE, '--json'], { home: other });
    expect(second.code, second.stderr).toBe(0);
    // A diff update package exists only where an older build does (the first home has one): left out.
    const shas = (doc: string) =>
      Object.fromEntries(
        JSON.parse(doc)
          .build.artifacts.filter((a: { path: string }) => !a.path.includes('.diff.'))
          .map((a: { path: string; sha256: string }) => [path.basename(a.path), a.sha256]),
      );
    const a = shas(first.stdout);
    const b = shas(second.stdout);
    expect(Object.keys(a).length).toBeGreaterThan(10);
    expect(b).toEqual(a);
    expect(a['os.raw']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reports spec errors with file:line:col, exits 2 and records no build', async () => {
    const dir = sampleVariant((y) => y.replace('services:', 'servics:'));
    const r = await yoke(['build', dir], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`${path.join(dir, 'appliance.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: .*servics.*did you mean 'services'`));
    const db = new Database(path.join(home, 'yoke.db'), { readonly: true });
    const names = db.prepare('SELECT a.name FROM builds b JOIN appliances a ON a.id = b.appliance_id').all() as { name: string }[];
    db.close();
    expect(names.every((n) => n.name === 'hello-web')).toBe(true);
  });

  it('a failed build exits 1, says why, leaves no build folder and records the reason', async () => {
    const dir = sampleVariant((y) => rawOnly(y).replace('os:   { size: 64M }', 'os:   { size: 16M }'), 'too-big');
    // A file larger than the whole OS disk.
    fs.writeFileSync(path.join(dir, 'rootfs', 'srv', 'big.bin'), crypto.randomBytes(20 * 1024 * 1024));
    const r = await yoke(['build', dir, '--json'], { home });
    expect(r.code).toBe(1);
    const b = JSON.parse(r.stdout).build;
    expect(b.status).toBe('failed');
    expect(b.error).toMatch(/OS disk|too (big|large)|does not fit|space/i);
    expect(b.artifacts).toEqual([]);
    expect(fs.existsSync(path.join(home, 'builds', 'hello-web', `1.0.0-${b.id}`))).toBe(false);
  });

  it('rejects bad usage with exit 2 and the usage text', async () => {
    const r = await yoke(['build', '--output'], { home });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Usage: yoke build/);
    const unknown = await yoke(['frobnicate'], { home });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
  });

  it('--help lists exactly the commands that exist', async () => {
    const r = await yoke(['--help'], { home });
    expect(r.code).toBe(0);
    const listed = [...r.stdout.matchAll(/^ {2}([a-z][a-z-]*) {2,}/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThanOrEqual(6);
    for (const name of listed) {
      const help = await yoke([name, '--help'], { home });
      expect(help.code, `${name} --help`).toBe(0);
      expect(help.stdout).toMatch(/Usage|yoke/);
    }
  });
});
