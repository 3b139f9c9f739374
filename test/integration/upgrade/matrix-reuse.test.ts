// A matrix row is booted and seeded once: the second candidate upgrades a copy of the seeded data
// disk the first one left, so N released × M candidates cost N + N·M boots. Sharding splits the
// pairs between CI jobs, and --junit writes what CI publishes.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from './helpers';

afterAll(() => removeTestHomes());

it('seeds OLD once for two candidates, shards pairs, and writes JUnit', async () => {
  const home = await makeTestHome('yoke-matrix-');
  const v1 = makeAppliance(home, 'v1', '1.0.0');
  const b1 = await buildId(home, v1);
  await cli(home, 'release', String(b1));
  const to2 = await buildId(home, makeAppliance(home, 'v2', '1.1.0'));
  const to3 = await buildId(home, makeAppliance(home, 'v3', '1.2.0'));

  const first = await cli(home, 'upgrade-test', '--to', String(to2), '--from', 'released', '--json');
  expect(first.code, first.err).toBe(0);
  const firstOld = first.json.pairs[0].checks.filter((c: { phase: string }) => c.phase === 'old');
  expect(firstOld.every((c: { message: string }) => !/seeded once/.test(c.message))).toBe(true);

  const junit = path.join(home, 'upgrades.xml');
  const second = await cli(home, 'upgrade-test', '--to', String(to3), '--from', 'released', '--junit', junit, '--json');
  expect(second.code, second.err).toBe(0);
  const pair = second.json.pairs[0];
  expect(pair.status).toBe('passed');
  // OLD was not booted again: its checks and seed come from the first run, and say so.
  const reused = pair.checks.filter((c: { phase: string }) => c.phase === 'old' || c.phase === 'seed');
  expect(reused.length).toBeGreaterThan(0);
  for (const c of reused) expect(c.message).toMatch(new RegExp(`seeded once, in run #${first.json.pairs[0].runId}`));
  expect(fs.readFileSync(pair.consoleLogs.old, 'utf8')).toContain('starting hello-web 1.0.0');
  expect(pair.checks.find((c: { name: string }) => c.name === 'verify: grep -q keep-me /data/marker')).toMatchObject({ status: 'passed' });
  const xml = fs.readFileSync(junit, 'utf8');
  expect(xml).toMatch(/<testsuite name="upgrades to 1\.2\.0" tests="\d+" failures="0"/);
  expect(xml).toContain('#1 1.0.0 -&gt; #3 1.2.0: verify: grep -q keep-me /data/marker');

  // Shard 2 of 2 of a one-pair matrix has nothing to do, and says so without failing.
  const empty = await cli(home, 'upgrade-test', '--to', String(to3), '--from', 'released', '--shard', '2/2', '--json');
  expect(empty.code, empty.err).toBe(0);
  expect(empty.json).toEqual({ pairs: [] });
  const bad = await cli(home, 'upgrade-test', '--to', String(to3), '--from', 'released', '--shard', '3/2');
  expect(bad.code).toBe(2);
  expect(bad.err).toMatch(/--shard expects I\/N/);
}, 400_000);
