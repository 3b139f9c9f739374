// upgrade.commit-checks: an update on trial commits only when its own checks pass inside the
// appliance. A version whose checks pass there commits (every kind of the sample's checks run by
// the guest's busybox); a version whose page lacks what its check wants goes back to 1.0.0 by
// itself, and says which check failed. Real builds, real qemu, `yoke upgrade-test --method package`.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { debugfsCat } from '../../../src-main/tools/debugfs';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from './helpers';

let home: string;
let b1: number;
let good: number;
let bad: number;

beforeAll(async () => {
  home = await makeTestHome('yoke-commit-checks-');
  const v1 = makeAppliance(home, 'v1', '1.0.0');
  b1 = await buildId(home, v1);
  const sameKey = (dir: string) => fs.copyFileSync(path.join(v1, 'appliance.pub'), path.join(dir, 'appliance.pub'));
  const withChecks = (yaml: string) => yaml.replace(/^upgrade:\n/m, 'upgrade:\n  commit-checks: true\n');
  good = await buildId(home, makeAppliance(home, 'good', '2.0.0', (yaml, dir) => (sameKey(dir), withChecks(yaml))));
  bad = await buildId(home, makeAppliance(home, 'bad', '2.1.0', (yaml, dir) => {
    sameKey(dir);
    return withChecks(yaml).replace(/^checks:\n/m, 'checks:\n  - name: the page names the release\n    http: { port: 80, path: /, status: 200, contains: release 2.1 }\n');
  }));
}, 240_000);

afterAll(() => removeTestHomes());

it('a version whose checks (service, port, http, mount, file, command) pass inside the appliance commits', async () => {
  const r = await cli(home, 'upgrade-test', '--to', String(good), '--from', String(b1), '--method', 'package', '--json');
  const pair = r.json?.pairs?.[0];
  const logs = pair ? fs.readFileSync(pair.consoleLogs.new, 'utf8').slice(-3000) : r.err;
  expect(r.code, logs).toBe(0);
  expect(pair).toMatchObject({ status: 'passed', after: { version: '2.0.0', rolledBack: false } });
  const commit = pair.checks.find((c: { name: string }) => c.name === 'commit update');
  expect(commit).toMatchObject({ status: 'passed' });
  expect(commit.message).toContain('its own checks passing inside it');
  expect(logs).toContain('yoke-update: committed hello-web 2.0.0 in slot b');
}, 420_000);

it('a version whose own check fails inside the appliance rolls itself back to 1.0.0 and says which check', async () => {
  const r = await cli(home, 'upgrade-test', '--to', String(bad), '--from', String(b1), '--method', 'package', '--json');
  const pair = r.json?.pairs?.[0];
  const logs = pair ? fs.readFileSync(pair.consoleLogs.new, 'utf8').slice(-4000) : r.err;
  expect(r.code, logs).toBe(1);
  expect(pair, logs).toMatchObject({ status: 'failed', after: { version: '1.0.0', rolledBack: true } });
  const why = 'check the page names the release failed: GET http://127.0.0.1:80/ (inside the appliance) answered 200 without "release 2.1"';
  const failed = pair.checks.find((c: { name: string }) => c.name === 'commit update' || c.name === 'update on trial');
  expect(failed.status).toBe('failed');
  expect(failed.message).toContain(why);
  const back = pair.checks.filter((c: { phase: string }) => c.phase === 'rolledback');
  expect(back.length).toBeGreaterThan(3);
  expect(back.every((c: { status: string }) => c.status === 'passed'), JSON.stringify(back)).toBe(true);
  const data = path.join(home, 'runs', String(pair.runId), 'data.raw');
  expect(await debugfsCat(data, '/updates/failed/hello-web-2.1.0.full.yup.reason')).toBe(`${why}\n`);
}, 420_000);
