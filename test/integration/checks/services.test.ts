// Issue 15 item 7 on a real image: a run line is a whole /bin/sh command line (all of
// "a; b; sleep" runs), and a service whose program does not exist crash-loops and never passes
// its `service` check, whenever the check looks. Built by the build engine, booted under TCG.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { runBuild } from '../../../src-main/build/pipeline';
import { runChecks } from '../../../src-main/checks/run-checks';
import { loadSpec } from '../../../src-main/spec/load';
import { Machine } from '../../../src-main/vm/machine';
import { makeTestHome, removeTestHomes } from '../build/helpers';

const SPEC = `name: svc-test
version: 1.0.0
services:
  - name: multi
    run: "echo one >/run/one; echo two >/run/two; sleep 1000"
  - name: broken
    run: /nonexistent/daemon --port 9
disks: { os: { size: 64M }, data: none }
outputs: [raw]
checks:
  - service: multi
  - file: { path: /run/two, contains: two }
  - file: { path: /run/one, contains: one }
  - { service: broken, timeout: 20s }
`;

let m: Machine | undefined;
afterAll(async () => {
  await m?.kill();
  removeTestHomes();
});

it('runs every command of a run line, and a crash-looping service fails its check', async () => {
  const home = await makeTestHome('yoke-services-');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-services-app-'));
  fs.writeFileSync(path.join(dir, 'appliance.yaml'), SPEC);
  const { spec, problems } = loadSpec(dir);
  expect(problems).toEqual([]);
  const build = await runBuild({ home, spec: spec!, outputs: ['raw'] });
  const art = (kind: string) => build.artifacts.find((a) => a.kind === kind)!;
  m = new Machine({
    home,
    kernel: art('kernel').path,
    initrd: art('initrd').path,
    append: `${fs.readFileSync(art('cmdline').path, 'utf8').trim()} yoke.control=1`,
    control: true,
    memoryMiB: 256,
  });
  await m.start();
  const results = await runChecks(m, spec!.checks, { services: spec!.services });
  const by = Object.fromEntries(results.map((r) => [r.name, r]));
  expect(by['service multi'], by['service multi'].message).toMatchObject({ status: 'passed' });
  expect(by['service multi'].message).toMatch(/runs as pid \d+ .*up for 0.5 s with no exit$/);
  expect(by['file /run/two'].status).toBe('passed');
  expect(by['file /run/one'].status).toBe('passed');
  expect(by['service broken'].status).toBe('failed');
  expect(by['service broken'].message).toMatch(/exits so far: \d+, the last with status 127/);
  // Its check fails with what the service itself last printed.
  expect(by['service broken'].message).toMatch(/Last console lines:[\s\S]*nonexistent\/daemon: not found/);
  // The supervisor said so on the console too, and never about `multi`.
  expect(m.console.output).toMatch(/service broken exited with 127/);
  expect(m.console.output).not.toMatch(/service multi exited/);
  expect(m.console.output).not.toMatch(/no DHCP answer/); // DHCP still answers with restrict=on
  fs.rmSync(dir, { recursive: true, force: true });
}, 300_000);
