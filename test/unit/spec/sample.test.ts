import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../../src-main/spec/load';

const SAMPLE = path.resolve(__dirname, '../../../resources/sample/hello-web');

describe('the sample hello-web appliance', () => {
  it('validates, with one check of every kind', () => {
    const r = loadSpec(SAMPLE);
    expect(r.problems).toEqual([]);
    expect(r.spec!.name).toBe('hello-web');
    expect(r.spec!.checks.map((c) => c.kind)).toEqual(['service', 'port', 'http', 'mount', 'file', 'command']);
    expect(r.spec!.outputs).toEqual(['raw', 'qcow2', 'vmdk', 'vhd', 'vdi', 'ova']);
    expect(r.spec!.upgrade.seed.length).toBeGreaterThan(0);
    expect(r.spec!.upgrade.verify.length).toBeGreaterThan(0);
  });

  it('serves a page that its http and file checks look for', () => {
    const page = fs.readFileSync(path.join(SAMPLE, 'rootfs/srv/www/index.html'), 'utf8');
    expect(page).toContain('hello from hello-web');
  });
});
