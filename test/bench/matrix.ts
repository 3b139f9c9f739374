// The upgrade matrix's figure: 3 released builds × 2 candidates, run the way QA runs it (one
// candidate after the other), with the seeded OLD data disks kept (N + N·M boots) and, for the
// floor of what it used to cost, with them thrown away before each candidate (2·N·M boots).
import fs from 'node:fs';
import path from 'node:path';
import { Engine } from '../../src-main/api/engine';
import { startBuild } from '../../src-main/jobs/build-job';
import { startUpgradeTest } from '../../src-main/jobs/upgrade-test';
import { makeTestHome } from '../integration/build/helpers';
import { makeAppliance } from '../integration/upgrade/helpers';

async function build(engine: Engine, dir: string): Promise<number> {
  const b = startBuild(engine, { dir });
  const o = await b.done;
  if (o.status !== 'succeeded') throw new Error(`bench build failed: ${o.error}`);
  return b.buildId;
}

export async function benchMatrix(): Promise<{ reuse: { ms: number; boots: number }; fresh: { ms: number; boots: number } }> {
  const run = async (reuse: boolean) => {
    const home = await makeTestHome(`yoke-bench-matrix-${reuse ? 'reuse' : 'fresh'}-`);
    const engine = new Engine({ home, face: 'cli' });
    try {
      for (const v of ['1.0.0', '1.0.1', '1.0.2']) engine.store().setReleased(await build(engine, makeAppliance(home, `r${v}`, v)), true);
      const candidates = [await build(engine, makeAppliance(home, 'c1', '1.1.0')), await build(engine, makeAppliance(home, 'c2', '1.2.0'))];
      const t0 = performance.now();
      for (const to of candidates) {
        if (!reuse) fs.rmSync(path.join(home, 'cache', 'seeded'), { recursive: true, force: true });
        const o = await startUpgradeTest(engine, { toBuildId: to, from: 'released', method: 'swap' }).done;
        if (o.status !== 'succeeded') throw new Error(`bench matrix: ${o.error}`);
      }
      return { ms: performance.now() - t0, boots: engine.store().listVms().length };
    } finally {
      await engine.close();
    }
  };
  return { reuse: await run(true), fresh: await run(false) };
}
