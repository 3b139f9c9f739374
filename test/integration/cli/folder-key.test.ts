// The update key travels with the folder: the first build writes appliance.pub; the same folder
// in another data directory (no private half there) builds the same OS disk and says its update
// packages cannot be signed here.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { rawOnly, sampleVariant, yoke } from './cli-harness';

type BuildDoc = { build: { artifacts: { format: string; disk?: string; sha256: string }[] } };
const osSha = (d: BuildDoc) => d.build.artifacts.find((a) => a.disk === 'os' && a.format === 'raw')!.sha256;

describe('appliance.pub (CLI)', () => {
  afterAll(() => removeTestHomes());

  it('gives the same OS disk in a data directory without the private key, and says packages cannot be signed', async () => {
    const app = sampleVariant(rawOnly, 'hello-web');
    const a = await yoke(['build', app, '--json'], { home: await makeTestHome('yoke-key-a-') });
    expect(a.code, a.stderr).toBe(0);
    expect(fs.readFileSync(path.join(app, 'appliance.pub'), 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const docA = JSON.parse(a.stdout) as BuildDoc;
    expect(docA.build.artifacts.some((x) => x.format === 'yup')).toBe(true);

    const b = await yoke(['build', app, '--json'], { home: await makeTestHome('yoke-key-b-') });
    expect(b.code, b.stderr).toBe(0);
    const docB = JSON.parse(b.stdout) as BuildDoc;
    expect(osSha(docB)).toBe(osSha(docA));
    expect(docB.build.artifacts.some((x) => x.format === 'yup')).toBe(false);
    expect(b.stderr).toMatch(/appliance\.pub names an update key whose private half is not on this machine.*cannot be signed here/);
  }, 300_000);
});
