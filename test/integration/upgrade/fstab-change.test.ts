// The bug that bricks only old deployments: a new version looks for its data disk by a new
// label. Its own fresh test passes (its fresh data disk has the new label); the upgrade test
// from the old version fails, and says which check.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from './helpers';

afterAll(() => removeTestHomes());

it('a new version that mounts LABEL=appdata passes yoke test but fails the upgrade, naming the mount check', async () => {
  const home = await makeTestHome('yoke-upgrade-');
  const v1 = makeAppliance(home, 'v1', '1.0.0');
  const v2 = makeAppliance(home, 'v2', '2.0.0', (yaml, dir) => {
    fs.mkdirSync(path.join(dir, 'rootfs', 'etc'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'rootfs', 'etc', 'fstab'), 'LABEL=appdata\t/data\text4\tdefaults\t0\t2\n');
    return yaml.replace('label: data', 'label: appdata').replace('- mount: /data', '- mount: /data\n    timeout: 5s');
  });
  const b1 = await buildId(home, v1);

  const fresh = await cli(home, 'test', v2, '--json');
  expect(fresh.code, fresh.err).toBe(0);

  const r = await cli(home, 'upgrade-test', v2, '--from', String(b1), '--json');
  expect(r.code).toBe(1);
  const pair = r.json.pairs[0];
  expect(pair.status).toBe('failed');
  const failed = pair.checks.filter((c: { status: string }) => c.status === 'failed');
  expect(failed.map((c: { name: string; phase: string }) => `${c.phase}: ${c.name}`)).toEqual(expect.arrayContaining(['upgraded: mount /data', 'verify: verify: grep -q keep-me /data/marker']));
  // OLD itself was fine: every failure is after the upgrade.
  expect(failed.every((c: { phase: string }) => c.phase === 'upgraded' || c.phase === 'verify')).toBe(true);
  expect(fs.readFileSync(pair.consoleLogs.new, 'utf8')).toContain('LABEL=appdata for /data not found');
  expect(r.err).toContain('mount /data');
}, 300_000);
