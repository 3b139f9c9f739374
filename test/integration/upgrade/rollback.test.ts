// The story Yoke exists for, installed as a package: a version that looks for its data disk by a
// new label. On the customer's appliance it must undo itself: the update boots on trial, cannot
// mount /data, and the appliance comes back to the old version, still serving with its data.
// Under BIOS and UEFI, through `yoke upgrade-test --method package --json`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { debugfsCat, debugfsLs } from '../../../src-main/tools/debugfs';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from './helpers';

let home: string;
let b1: number;
let b2: number;

beforeAll(async () => {
  home = await makeTestHome('yoke-rollback-');
  const v1 = makeAppliance(home, 'v1', '1.0.0');
  b1 = await buildId(home, v1);
  const v2 = makeAppliance(home, 'v2', '2.0.0', (yaml, dir) => {
    fs.copyFileSync(path.join(v1, 'appliance.pub'), path.join(dir, 'appliance.pub'));
    fs.mkdirSync(path.join(dir, 'rootfs', 'etc'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'rootfs', 'etc', 'fstab'), 'LABEL=appdata\t/data\text4\tdefaults\t0\t2\n');
    return yaml.replace('label: data', 'label: appdata');
  });
  b2 = await buildId(home, v2);
}, 240_000);

afterAll(() => removeTestHomes());

for (const firmware of ['bios', 'uefi'] as const) {
  it(`a relabelled-data-disk version installed as a package rolls itself back to 1.0.0 (${firmware})`, async () => {
    const r = await cli(home, 'upgrade-test', '--to', String(b2), '--from', String(b1), '--method', 'package', '--firmware', firmware, '--json');
    const pair = r.json?.pairs?.[0];
    const logs = pair ? `${fs.readFileSync(pair.consoleLogs.old, 'utf8').slice(-2000)}\n${fs.readFileSync(pair.consoleLogs.new, 'utf8').slice(-4000)}` : r.err;
    expect(r.code, logs).toBe(1);
    expect(pair, logs).toMatchObject({ method: 'package', status: 'failed', after: { version: '1.0.0', rolledBack: true } });
    const phases = new Set(pair.checks.map((c: { phase: string }) => c.phase));
    expect([...phases]).toEqual(['old', 'seed', 'upgraded', 'rolledback']);
    // The update failed, said why; then OLD's own checks all pass again, serving with its data.
    const trial = pair.checks.find((c: { name: string }) => c.name === 'update on trial' || c.name === 'commit update');
    expect(trial).toMatchObject({ status: 'failed', phase: 'upgraded' });
    expect(trial.message).toContain('LABEL=appdata is not mounted on /data');
    const back = pair.checks.filter((c: { phase: string }) => c.phase === 'rolledback');
    expect(back.map((c: { name: string }) => c.name)).toEqual(expect.arrayContaining(['roll back', 'http :80/', 'mount /data', 'service web']));
    expect(back.every((c: { status: string }) => c.status === 'passed'), JSON.stringify(back)).toBe(true);
    expect(r.err).toContain('rolled back to 1.0.0 by itself');
    // The kept data disk: the seed survived, the failed package and its reason are in updates/failed, fsck is clean.
    const data = path.join(home, 'runs', String(pair.runId), 'data.raw');
    expect(await debugfsCat(data, '/marker')).toBe('keep-me\n');
    expect(await debugfsLs(data, '/updates/failed')).toEqual(expect.arrayContaining(['hello-web-2.0.0.full.yup', 'hello-web-2.0.0.full.yup.reason']));
    expect(await debugfsCat(data, '/updates/failed/hello-web-2.0.0.full.yup.reason')).toBe('LABEL=appdata is not mounted on /data\n');
    execFileSync('e2fsck', ['-fn', data], { stdio: 'pipe' });
    console.log(`[measure] package upgrade that rolls back (${firmware}): pair ${pair.durationMs} ms`);
  }, 420_000);
}
