// Upgrade by swapping the OS disk: the sample appliance 1.0.0, seeded with data, then booted as
// 1.1.0 on the same data disk; the data must still be there and every check must pass.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { buildId, cli, makeAppliance } from './helpers';

afterAll(() => removeTestHomes());

it('releases 1.0.0, then upgrades it to 1.1.0 by swapping the OS disk, keeping the data', async () => {
  const home = await makeTestHome('yoke-upgrade-');
  const v1 = makeAppliance(home, 'v1', '1.0.0');
  const v2 = makeAppliance(home, 'v2', '1.1.0');
  const b1 = await buildId(home, v1);

  const rel = await cli(home, 'release', String(b1), '--json');
  expect(rel.code).toBe(0);
  expect(rel.json.build).toMatchObject({ id: b1, released: true, children: [] });

  const t0 = Date.now();
  const r = await cli(home, 'upgrade-test', v2, '--from', 'released', '--json');
  const wallMs = Date.now() - t0;
  expect(r.code, r.err).toBe(0);
  expect(r.json.pairs).toHaveLength(1);
  const pair = r.json.pairs[0];
  expect(pair).toMatchObject({ from: { id: b1, version: '1.0.0' }, to: { version: '1.1.0' }, method: 'swap', status: 'passed' });
  const phases = new Set(pair.checks.map((c: { phase: string }) => c.phase));
  expect([...phases].sort()).toEqual(['old', 'seed', 'upgraded', 'verify']);
  expect(pair.checks.find((c: { name: string }) => c.name === 'verify: grep -q keep-me /data/marker')).toMatchObject({ status: 'passed' });
  expect(pair.checks.filter((c: { phase: string }) => c.phase === 'upgraded').map((c: { kind: string }) => c.kind).sort()).toEqual(['command', 'file', 'http', 'mount', 'port', 'service']);
  // Both boots' consoles are kept: OLD says 1.0.0, NEW says 1.1.0.
  expect(fs.readFileSync(pair.consoleLogs.old, 'utf8')).toContain('starting hello-web 1.0.0');
  expect(fs.readFileSync(pair.consoleLogs.new, 'utf8')).toContain('starting hello-web 1.1.0');

  // History: the NEW build is the released build's child.
  const after = await cli(home, 'release', '--undo', String(b1), '--json');
  expect(after.json.build).toMatchObject({ id: b1, released: false, children: [pair.to.id] });
  console.log(`[measure] upgrade-test (swap, one pair incl. warm build of NEW): ${wallMs} ms; pair ${pair.durationMs} ms`);
}, 240_000);

it('names the problem when there is nothing to upgrade from (exit 2)', async () => {
  const home = await makeTestHome('yoke-upgrade-');
  const v2 = makeAppliance(home, 'v2', '1.1.0');
  const none = await cli(home, 'upgrade-test', v2, '--from', 'released');
  expect(none.code).toBe(2);
  expect(none.err).toContain('has no released build');
  const missing = await cli(home, 'upgrade-test', v2, '--from', '0.9.0', '--json');
  expect(missing.code).toBe(2);
  expect(missing.json.error.message).toContain('no succeeded build of version 0.9.0');
  expect(fs.existsSync(path.join(home, 'builds'))).toBe(false);
}, 60_000);
