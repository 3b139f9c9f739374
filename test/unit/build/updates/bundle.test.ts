import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleName, bundleText, compareVersions, writeBundle } from '../../../../src-main/build/updates/bundle';
import { readTarIndex } from '../../../../src-main/build/tar-index';

describe('bundles', () => {
  it('orders versions as semver does', () => {
    const sorted = ['1.10.0', '1.2.0', '1.2.0-rc.1', '0.9.9', '1.2.0+build.5', '1.2.0-rc.10'].sort(compareVersions);
    expect(sorted).toEqual(['0.9.9', '1.2.0-rc.1', '1.2.0-rc.10', '1.2.0', '1.2.0+build.5', '1.10.0']);
  });
  it('is a tar with its step list first, then the steps, in order', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-bundle-'));
    try {
      const a = path.join(dir, 'x-1.0.0-b1-to-1.1.0.diff.yup');
      const b = path.join(dir, 'x-1.2.0.full.yup');
      fs.writeFileSync(a, 'a');
      fs.writeFileSync(b, 'bb');
      const out = path.join(dir, bundleName('x', '1.0.0', '1.2.0'));
      await writeBundle(out, 'x', [a, b], 1704067200);
      expect(path.basename(out)).toBe('x-1.0.0-to-1.2.0.bundle.yup');
      expect(readTarIndex(out).map((m) => m.name)).toEqual(['bundle', path.basename(a), path.basename(b)]);
      expect(bundleText('x', ['s1', 's2'])).toBe('yoke-bundle 1\nappliance x\nstep s1\nstep s2\n');
      await expect(writeBundle(path.join(dir, 'dup'), 'x', [a, a], 1)).rejects.toThrow(/same file name/);
      expect(fs.existsSync(path.join(dir, 'dup'))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
