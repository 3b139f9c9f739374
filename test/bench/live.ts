// The live loop's figure: one page edited → the new page copied in, the web service restarted,
// every check green, with no reboot. The floor is the same work done directly on the same VM:
// the file over the control channel, the restart, the checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventPayload } from '../../src-main/api/contract';
import type { Engine } from '../../src-main/api/engine';
import { runChecks } from '../../src-main/checks/run-checks';
import { walkOverlay } from '../../src-main/build/rootfs';
import { putCommands, restartCommand } from '../../src-main/jobs/dev-sync';
import { loadSpec } from '../../src-main/spec/load';
import { sampleApplianceDir } from '../../src-main/util/resources';

function nextCycle(engine: Engine, jobId: string): Promise<EventPayload<'dev.cycle'>> {
  return new Promise((resolve) => {
    const off = engine.on((event, p) => {
      if (event === 'dev.cycle' && (p as EventPayload<'dev.cycle'>).jobId === jobId) {
        off();
        resolve(p as EventPayload<'dev.cycle'>);
      }
    });
  });
}

export async function benchLive(engine: Engine, rounds = 3): Promise<{ loopMs: number[]; wallMs: number[]; floorMs: number[] }> {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-bench-live-')), 'hello-web');
  fs.cpSync(sampleApplianceDir(), dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
  const first = (jobId: string) => nextCycle(engine, jobId);
  const { jobId } = await engine.request('dev.start', { dir });
  const c0 = await first(jobId);
  if (c0.status !== 'passed') throw new Error(`live bench: the first checks ${c0.status}`);
  const page = path.join(dir, 'rootfs/srv/www/index.html');
  const spec = loadSpec(dir).spec!;
  const out = { loopMs: [] as number[], wallMs: [] as number[], floorMs: [] as number[] };
  try {
    for (let i = 0; i < rounds; i++) {
      const cycle = nextCycle(engine, jobId);
      const t0 = performance.now();
      fs.writeFileSync(page, `<h1>hello, edit ${i}</h1>\n`);
      const c = await cycle;
      if (c.status !== 'passed') throw new Error(`live bench: edit ${i} ended ${c.status}`);
      out.wallMs.push(performance.now() - t0);
      out.loopMs.push(c.ms);
      // The floor, on the same VM: the same file, the same restart, the same checks, nothing else.
      const vm = engine.machines.live(c.vmId).machine;
      const f = (await walkOverlay(spec.rootfs.overlay!, [])).find((x) => x.rel === 'srv/www/index.html')!;
      const t1 = performance.now();
      for (const cmd of putCommands(f)) await vm.succeed(cmd);
      await vm.succeed(restartCommand(['web']));
      const results = await runChecks(vm, spec.checks, { services: spec.services });
      if (results.some((r) => r.status !== 'passed')) throw new Error('live bench: the floor checks failed');
      out.floorMs.push(performance.now() - t1);
    }
  } finally {
    await engine.request('job.cancel', { jobId });
    await engine.jobs.wait(jobId);
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
  return out;
}
