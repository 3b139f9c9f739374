// Prints the upgrade test's time against its floor (two boots of the same disks); asserts only that both ran.
import { afterAll, expect, it } from 'vitest';
import { upgradeBench } from '../../../src-main/upgrade/bench';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { makeAppliance } from './helpers';

afterAll(() => removeTestHomes());

it('measures one upgrade test against two plain boots', async () => {
  const home = await makeTestHome('yoke-upgrade-bench-');
  const r = await upgradeBench({ home, oldDir: makeAppliance(home, 'v1', '1.0.0'), newDir: makeAppliance(home, 'v2', '1.1.0') });
  expect(r.status).toBe('passed');
  console.log(`[measure] upgrade test ${r.upgradeMs.toFixed(0)} ms, floor (two boots, seed, verify) ${r.floorMs.toFixed(0)} ms, ratio ${r.ratio.toFixed(2)}`);
}, 300_000);
