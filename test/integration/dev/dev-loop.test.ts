// The live loop against a real VM: an edited page is synced and served without a reboot, a
// vm.memory change rebuilds and reboots saying why, a broken spec keeps the VM on its last good
// state, a burst of saves is one cycle, and Ctrl-C (job.cancel) powers the VM off.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../src-main/api/engine';
import type { EventPayload } from '../../../src-main/api/contract';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { qemuOf, rawOnly, sampleVariant, startYoke } from '../cli/cli-harness';

afterAll(removeTestHomes);

type Cycle = EventPayload<'dev.cycle'>;

/** Collects a job's dev events; next() resolves with the next one matching. */
function recorder(engine: Engine) {
  const seen: { event: string; payload: unknown }[] = [];
  const waiters: { test(e: { event: string; payload: unknown }): boolean; resolve(v: unknown): void }[] = [];
  engine.on((event, payload) => {
    const e = { event, payload };
    if (process.env.YOKE_TEST_TRACE && (event.startsWith('dev.') || event === 'job.log')) console.log(event, JSON.stringify(payload).slice(0, 600));
    const w = waiters.findIndex((x) => x.test(e));
    if (w !== -1) waiters.splice(w, 1)[0].resolve(payload);
    else seen.push(e);
  });
  return {
    next<T>(event: string, where: (p: T) => boolean = () => true, timeoutMs = 120_000): Promise<T> {
      const test = (e: { event: string; payload: unknown }) => e.event === event && where(e.payload as T);
      const i = seen.findIndex(test);
      if (i !== -1) return Promise.resolve(seen.splice(i, 1)[0].payload as T);
      return new Promise<T>((resolve, reject) => {
        waiters.push({ test, resolve: resolve as (v: unknown) => void });
        setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs).unref();
      });
    },
  };
}

async function get(port: number, p = '/'): Promise<string> {
  const r = await fetch(`http://127.0.0.1:${port}${p}`);
  return r.text();
}

describe('yoke dev (live loop)', () => {
  it('syncs an edited page without a reboot, rebuilds for vm.memory, keeps the VM on a broken spec', async () => {
    const home = await makeTestHome('yoke-dev-');
    const app = sampleVariant(rawOnly);
    const engine = new Engine({ home, face: 'cli' });
    const rec = recorder(engine);
    try {
      const { jobId } = await engine.request('dev.start', { dir: app });
      const ready = await rec.next<EventPayload<'dev.ready'>>('dev.ready', (p) => p.jobId === jobId);
      const first = await rec.next<Cycle>('dev.cycle', (p) => p.jobId === jobId);
      expect(first.status, JSON.stringify(first.checks.filter((c) => c.status === 'failed'))).toBe('passed');
      expect(first.diverged).toBe(false);
      const port = ready.forwards.find((f) => f.guest === 80)!.host;

      // One page edited: copied in, the web service restarted, checks green, same VM.
      const page = path.join(app, 'rootfs/srv/www/index.html');
      fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace('hello', 'hello, edited live'));
      const edit = await rec.next<Cycle>('dev.cycle', (p) => p.jobId === jobId);
      expect(edit).toMatchObject({ status: 'passed', changed: ['rootfs/srv/www/index.html'], restarted: ['web'], vmId: ready.vmId, diverged: true });
      expect(edit.rebuilt).toBeUndefined();
      console.log(`[measure] live edit to checks green: ${edit.ms} ms`);
      expect(await get(port)).toContain('hello, edited live');
      expect((await engine.request('vms.list', {})).find((v) => v.id === ready.vmId)).toMatchObject({ purpose: 'dev', diverged: true });

      // A burst of saves (a new page, a deletion) is one cycle.
      fs.writeFileSync(path.join(app, 'rootfs/srv/www/a.html'), 'page a');
      fs.writeFileSync(path.join(app, 'rootfs/srv/www/b.html'), 'page b');
      fs.rmSync(path.join(app, 'rootfs/srv/www/b.html'));
      const burst = await rec.next<Cycle>('dev.cycle', (p) => p.jobId === jobId);
      expect(burst.changed).toEqual(['rootfs/srv/www/a.html']);
      expect(await get(port, '/a.html')).toBe('page a');

      // Honest about drift: a full build + test of these same files that passes clears the mark.
      const full = await engine.request('test.start', { dir: app });
      expect((await engine.jobs.wait(full.jobId)).status).toBe('succeeded');
      for (let i = 0; i < 50 && (await engine.request('vms.list', {})).find((v) => v.id === ready.vmId)?.diverged; i++) await new Promise((r) => setTimeout(r, 100));
      expect((await engine.request('vms.list', {})).find((v) => v.id === ready.vmId)).toMatchObject({ purpose: 'dev', diverged: false });

      // A broken spec: errors at their line, the VM keeps serving the last good state.
      const specFile = path.join(app, 'appliance.yaml');
      const good = fs.readFileSync(specFile, 'utf8');
      fs.writeFileSync(specFile, good.replace(/^vm:/m, 'vmm:'));
      const bad = await rec.next<Cycle>('dev.cycle', (p) => p.jobId === jobId);
      expect(bad.status).toBe('invalid');
      expect(bad.problems?.[0]).toMatchObject({ line: expect.any(Number), message: expect.stringMatching(/vmm/) });
      expect(await get(port)).toContain('hello, edited live');

      // vm.memory cannot change in a running VM: rebuild and reboot, saying why.
      fs.writeFileSync(specFile, good.replace(/memory: \d+M/, 'memory: 192M'));
      const rebooted = await rec.next<EventPayload<'dev.ready'>>('dev.ready', (p) => p.jobId === jobId, 240_000);
      const after = await rec.next<Cycle>('dev.cycle', (p) => p.jobId === jobId, 240_000);
      expect(after.rebuilt).toMatch(/vm\.memory changed/);
      expect(after.status).toBe('passed');
      expect(after.diverged).toBe(false);
      expect(rebooted.vmId).not.toBe(ready.vmId);
      const newPort = rebooted.forwards.find((f) => f.guest === 80)!.host;
      expect(await get(newPort)).toContain('hello, edited live');

      expect(await engine.request('job.cancel', { jobId })).toEqual({ cancelled: true });
      await engine.jobs.wait(jobId);
      expect(qemuOf(home)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('yoke dev --json prints ready and checks lines, and Ctrl-C powers the VM off', async () => {
    const home = await makeTestHome('yoke-dev-cli-');
    const app = sampleVariant(rawOnly);
    const run = startYoke(['dev', app, '--json'], { home });
    const lines = (): { event: string; status?: string; forwards?: unknown[] }[] =>
      run.proc.stdout!.readableEnded ? [] : [];
    let out = '';
    run.proc.stdout!.on('data', (d) => (out += d));
    for (let i = 0; i < 1200 && !/"event":"checks"/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    const docs = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(docs[0]).toMatchObject({ event: 'ready', forwards: [{ guest: 80, host: expect.any(Number) }] });
    expect(docs[1]).toMatchObject({ event: 'checks', status: 'passed', changed: [], ms: expect.any(Number) });
    expect(lines()).toEqual([]);
    run.proc.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.stderr).toBe(0);
    expect(qemuOf(home)).toEqual([]);
  });
});

describe('yoke dev faults', () => {
  it('refuses a file bigger than the VM can hold, and reboots by itself after the VM dies', async () => {
    const home = await makeTestHome('yoke-dev-faults-');
    const app = sampleVariant(rawOnly);
    const engine = new Engine({ home, face: 'cli' });
    const rec = recorder(engine);
    try {
      const { jobId } = await engine.request('dev.start', { dir: app });
      const ready = await rec.next<EventPayload<'dev.ready'>>('dev.ready', (p) => p.jobId === jobId);
      expect((await rec.next<Cycle>('dev.cycle', (p) => p.jobId === jobId)).status).toBe('passed');

      // 400 MiB in a 256 MiB VM whose root lives in RAM: refused, named, nothing copied.
      const big = path.join(app, 'rootfs/srv/big.bin');
      fs.writeFileSync(big, '');
      fs.truncateSync(big, 400 * 1024 * 1024);
      const refused = await rec.next<Cycle>('dev.cycle', (p) => p.jobId === jobId);
      expect(refused.status).toBe('failed');
      expect(refused.checks[0].message).toMatch(/rootfs\/srv\/big\.bin .*do not fit in the VM's free space/);
      expect((await engine.machines.live(ready.vmId).machine.execute('ls /srv/big.bin')).exitCode).not.toBe(0);
      fs.rmSync(big);
      await rec.next<Cycle>('dev.cycle', (p) => p.jobId === jobId);

      // The VM dies (qemu killed): the next change finds it gone, and the loop boots a new one.
      process.kill(engine.machines.live(ready.vmId).machine.pid!, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 500));
      fs.writeFileSync(path.join(app, 'rootfs/srv/www/after.html'), 'after the crash');
      const again = await rec.next<EventPayload<'dev.ready'>>('dev.ready', (p) => p.jobId === jobId, 240_000);
      const cycle = await rec.next<Cycle>('dev.cycle', (p) => p.jobId === jobId, 240_000);
      expect(cycle.rebuilt).toMatch(/the VM had stopped/);
      expect(cycle.status).toBe('passed');
      expect(again.vmId).not.toBe(ready.vmId);
      expect(await get(again.forwards[0].host, '/after.html')).toBe('after the crash');
      await engine.request('job.cancel', { jobId });
      await engine.jobs.wait(jobId);
      expect(qemuOf(home)).toEqual([]);
    } finally {
      await engine.close();
    }
  });
});
