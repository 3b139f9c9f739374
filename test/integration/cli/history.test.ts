// `yoke history`: builds and runs with their status and test result, and a build whose process
// was killed (SIGKILL: no cleanup ran) listed as interrupted, its half-written files gone.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestHome, removeTestHomes } from '../build/helpers';
import { rawOnly, sampleVariant, startYoke, yoke } from './cli-harness';

afterAll(removeTestHomes);

describe('yoke history', () => {
  it('lists a SIGKILLed build as interrupted, with when, and sweeps what it half wrote', async () => {
    const home = await makeTestHome('yoke-cli-history-');
    const app = sampleVariant(rawOnly);
    const ok = await yoke(['build', app, '--json'], { home });
    expect(ok.code, ok.stderr).toBe(0);
    const first = JSON.parse(ok.stdout).build;

    const run = startYoke(['build', app, '--no-cache'], { home });
    // Kill it once its build row and folder reservation exist, mid-way through the stages.
    const logs = path.join(home, 'logs');
    for (let i = 0; i < 800 && !(fs.existsSync(logs) && fs.readdirSync(logs).length >= 2); i++) await new Promise((r) => setTimeout(r, 10));
    run.proc.kill('SIGKILL');
    await run.done;

    const h = await yoke(['history', '--json'], { home });
    expect(h.code, h.stderr).toBe(0);
    const doc = JSON.parse(h.stdout) as { builds: { id: number; status: string; testStatus: string; interruptedAt?: string; version: string; appliance: string }[]; runs: unknown[] };
    const killed = doc.builds.find((b) => b.id !== first.id)!;
    expect(killed).toMatchObject({ appliance: 'hello-web', status: 'interrupted', testStatus: 'not-run' });
    expect(Date.parse(killed.interruptedAt!)).toBeGreaterThan(Date.now() - 120_000);
    expect(doc.builds.find((b) => b.id === first.id)).toMatchObject({ status: 'succeeded', testStatus: 'not-run' });
    // Nothing the killed build reserved or staged is left beside the good build's folder.
    const buildsDir = path.join(home, 'builds', 'hello-web');
    expect(fs.readdirSync(buildsDir).sort()).toEqual([path.basename(path.dirname(first.artifacts[0].path))]);

    const text = await yoke(['history'], { home });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`#${killed.id}\\s+hello-web\\s+\\S+\\s+interrupted`));
  });

  it('shows a test result beside its build, and runs', async () => {
    const home = await makeTestHome('yoke-cli-history-test-');
    const app = sampleVariant(rawOnly);
    const t = await yoke(['test', app, '--json'], { home });
    expect(t.code, t.stderr).toBe(0);
    const doc = JSON.parse((await yoke(['history', 'hello-web', '--json'], { home })).stdout);
    expect(doc.builds[0]).toMatchObject({ status: 'succeeded', testStatus: 'passed' });
    expect(doc.runs[0]).toMatchObject({ kind: 'test', status: 'passed', buildId: doc.builds[0].id, appliance: 'hello-web' });
    const usage = await yoke(['history', '--limit', 'x'], { home });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--limit expects a positive whole number/);
  });
});
