// End to end on a real image: the sample appliance built by the build engine, booted as a
// test VM (its kernel and initrd booted directly, with the control flag added), its own
// checks run, then powered off.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runBuild } from '../../../src-main/build/pipeline';
import { runChecks } from '../../../src-main/checks/run-checks';
import { loadSpec } from '../../../src-main/spec/load';
import { Machine } from '../../../src-main/vm/machine';
import { qemuPidsNamed } from '../vm/fixture';
import { makeTestHome } from '../build/helpers';

const SAMPLE = path.resolve(__dirname, '../../../resources/sample/hello-web');
let m: Machine | undefined;
afterAll(async () => {
  await m?.kill();
});

it("the sample appliance passes its own checks in a test VM and powers off cleanly", async () => {
  const home = await makeTestHome('yoke-sample-');
  const { spec, problems } = loadSpec(SAMPLE);
  expect(problems).toEqual([]);
  const build = await runBuild({ home, spec: spec!, outputs: ['raw'], flavour: 'small' });
  const art = (kind: string, disk?: string) => build.artifacts.find((a) => a.kind === kind && (disk === undefined || a.disk === disk))!;
  const cmdline = fs.readFileSync(art('cmdline').path, 'utf8').trim();

  const t0 = performance.now();
  m = new Machine({
    home,
    kernel: art('kernel').path,
    initrd: art('initrd').path,
    append: `${cmdline} yoke.control=1`,
    dataDisk: { path: art('disk', 'data').path, format: 'raw', snapshot: true },
    forwards: spec!.network.forward,
    memoryMiB: spec!.vm.memoryBytes / 1024 / 1024,
    cpus: spec!.vm.cpus,
    control: true,
    appliance: spec!.name,
    version: spec!.version,
  });
  await m.start();
  const results = await runChecks(m, spec!.checks, { services: spec!.services });
  const checksMs = performance.now() - t0;
  for (const r of results) expect(r, r.message).toMatchObject({ status: 'passed' });
  expect(results.map((r) => r.kind).sort()).toEqual(spec!.checks.map((c) => c.kind).sort());
  expect(m.console.output).toContain('control channel on ttyS1');

  const t1 = performance.now();
  expect(await m.stop({ graceMs: 30_000 })).toBe('powerdown');
  const offMs = performance.now() - t1;
  expect(m.console.output).toContain('yoke: power off');
  expect(qemuPidsNamed(m.vmid)).toEqual([]);
  console.log(`[measure] sample: start to all ${results.length} checks passed ${checksMs.toFixed(0)} ms, power-off ${offMs.toFixed(0)} ms`);
  m = undefined;
});
