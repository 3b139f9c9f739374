// Upgrade by update package: NEW's full package is dropped into OLD's /data/updates, OLD's own
// updater checks and installs it, reboots, and the disk's boot loader starts NEW.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from './helpers';

afterAll(() => removeTestHomes());

it('installs 1.1.0 inside a running 1.0.0 from its full update package, keeping the data', async () => {
  const home = await makeTestHome('yoke-upgrade-');
  const v1 = makeAppliance(home, 'v1', '1.0.0');
  const v2 = makeAppliance(home, 'v2', '1.1.0');
  const b1 = await buildId(home, v1);
  const b2 = await cli(home, 'build', v2, '--json');
  const updates = b2.json.build.artifacts.filter((a: { path: string }) => a.path.endsWith('.yup')).map((a: { path: string }) => path.basename(a.path));
  expect(updates.sort()).toEqual(['hello-web-1.0.0-b1-to-1.1.0.diff.yup', 'hello-web-1.1.0.full.yup']);

  const r = await cli(home, 'upgrade-test', '--to', String(b2.json.build.id), '--from', String(b1), '--method', 'package', '--json');
  const pair = r.json?.pairs?.[0];
  expect(r.code, `${r.err}\n${pair ? fs.readFileSync(pair.consoleLogs.old, 'utf8').slice(-3000) + fs.readFileSync(pair.consoleLogs.new, 'utf8').slice(-3000) : ''}`).toBe(0);
  expect(pair).toMatchObject({ method: 'package', status: 'passed', after: { version: '1.1.0', rolledBack: false } });
  expect(pair.checks.find((c: { name: string }) => c.name === 'commit update')).toMatchObject({ status: 'passed', phase: 'upgraded' });
  expect(pair.checks.find((c: { name: string }) => c.name === 'apply update package')).toMatchObject({ status: 'passed' });
  const oldLog = fs.readFileSync(pair.consoleLogs.old, 'utf8');
  const newLog = fs.readFileSync(pair.consoleLogs.new, 'utf8');
  expect(oldLog).toContain('yoke-update: applied hello-web 1.1.0 (was 1.0.0)');
  expect(newLog).toContain('starting hello-web 1.1.0');
  expect(newLog).toContain('yoke-update: trial boot of hello-web 1.1.0');
  expect(newLog).toContain('yoke-update: committed hello-web 1.1.0');
  console.log(`[measure] upgrade-test (package): pair ${pair.durationMs} ms`);
}, 300_000);

it('makes no diff package from a version that is not older (appliances refuse downgrades), and says so for --diff-from', async () => {
  const home = await makeTestHome('yoke-upgrade-order-');
  const newer = await buildId(home, makeAppliance(home, 'v2', '1.1.0'));
  // Building 1.0.0 after 1.1.0 (a fix on an older branch): its parent build is newer.
  const older = await cli(home, 'build', makeAppliance(home, 'v1', '1.0.0'), '--json');
  expect(older.code, older.err).toBe(0);
  const updates = older.json.build.artifacts.filter((a: { path: string }) => a.path.endsWith('.yup')).map((a: { path: string }) => path.basename(a.path));
  expect(updates).toEqual(['hello-web-1.0.0.full.yup']);
  const asked = await cli(home, 'build', makeAppliance(home, 'v1b', '1.0.1'), '--diff-from', String(newer));
  expect(asked.code).toBe(2);
  expect(asked.err).toContain(`--diff-from ${newer}: build #${newer} is hello-web 1.1.0, not older than 1.0.1; a diff package goes from an older version to this one.`);
}, 300_000);
