import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runBuild } from '../../../src-main/build/pipeline';
import { loadSpec } from '../../../src-main/spec/load';
import { makeTestHome, removeTestHomes } from './helpers';
import { bootDisk, httpGet, qmp, readConsole, waitForHttp, type Booted } from './qemu-harness';

const SAMPLE = path.resolve(__dirname, '../../../resources/sample/hello-web');

describe('the sample appliance boots from its OS disk', () => {
  afterAll(removeTestHomes);
  let vm: Booted | undefined;
  afterAll(() => vm?.proc.kill('SIGKILL'));

  it('serves its page, keeps state on the data disk and powers off cleanly', async () => {
    const home = await makeTestHome();
    const { spec, problems } = loadSpec(SAMPLE);
    expect(problems).toEqual([]);
    const t0 = performance.now();
    const build = await runBuild({ home, spec: spec!, outputs: ['raw'], flavour: 'small' });
    const buildMs = performance.now() - t0;
    const osDisk = build.artifacts.find((a) => a.disk === 'os' && a.kind === 'disk')!;
    const data = build.artifacts.find((a) => a.disk === 'data' && a.kind === 'disk')!;
    expect(fs.existsSync(osDisk.path)).toBe(true);

    const t1 = performance.now();
    vm = await bootDisk(osDisk.path, data.path, fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-vm-')));
    const page = await waitForHttp(vm.port, '/', 'hello');
    const httpMs = performance.now() - t1;
    expect(page).toContain('hello from hello-web');
    expect((await httpGet(vm.port, '/cgi-bin/visits', 2000)).body).toContain('visit 1');
    expect((await httpGet(vm.port, '/cgi-bin/visits', 2000)).body).toContain('visit 2');
    expect(readConsole(vm)).toContain('yoke: services started');
    expect(readConsole(vm)).toContain('yoke: ready');
    // Shipped images never open the control shell.
    expect(readConsole(vm)).not.toContain('control channel');

    const t2 = performance.now();
    await qmp(vm.qmpSock, 'system_powerdown');
    const code = await Promise.race([vm.exited, new Promise((r) => setTimeout(() => r('timeout'), 30_000))]);
    const offMs = performance.now() - t2;
    expect(code).toBe(0);
    expect(readConsole(vm)).toContain('yoke: power off');
    vm = undefined;

    // The data disk was unmounted cleanly and holds the counter.
    const state = execFileSync('dumpe2fs', ['-h', data.path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(state).toMatch(/Filesystem state:\s+clean/);
    expect(execFileSync('debugfs', ['-R', 'cat /visits', data.path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()).toBe('2');
    console.log(`timings: build ${buildMs.toFixed(0)} ms, boot to HTTP ${httpMs.toFixed(0)} ms, power-off ${offMs.toFixed(0)} ms`);
  });
});
