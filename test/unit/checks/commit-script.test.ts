// upgrade.commit-checks: the spec's checks as the script the appliance's updater runs before it
// commits a trial. Run here for real by busybox sh with only busybox's applets on PATH (as inside
// the appliance), against a real HTTP server, real files and this machine's /proc.
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commitChecksScript } from '../../../src-main/checks/commit-script';
import { loadSpec } from '../../../src-main/spec/load';
import { findStaticBusybox } from '../../../src-main/tools/busybox';
import { tmpAppliance } from '../spec/fixtures';

let server: http.Server;
let port = 0;
let bin: string;
const busybox = findStaticBusybox();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/' ? 'hello from the appliance\n' : 'not here\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  // The appliance's PATH: busybox's applets and nothing else.
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-commit-bin-'));
  const applets = execFileSync(busybox, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of applets) fs.symlinkSync(busybox, path.join(bin, a));
});

afterAll(() => {
  server.close();
  fs.rmSync(bin, { recursive: true, force: true });
});

function scriptFor(checks: string): string {
  const dir = tmpAppliance(`name: app\nversion: 1.0.0\nservices: [{ name: web, run: httpd -f -p 80 }]\nnetwork: { forward: [{ guest: ${port} }] }\nchecks:\n${checks}upgrade: { commit-checks: true }\n`);
  const r = loadSpec(dir);
  expect(r.problems).toEqual([]);
  expect(r.spec!.upgrade.commitChecks).toBe(true);
  return commitChecksScript(r.spec!.checks, r.spec!.services);
}

/** Runs the script asynchronously: the HTTP server in this process must answer while it waits. */
async function run(script: string): Promise<{ code: number; out: string }> {
  const f = path.join(bin, '..', `commit-checks-${process.pid}-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(f, script);
  try {
    return await new Promise((resolve) => {
      execFile(busybox, ['sh', f], { encoding: 'utf8', env: { PATH: bin }, timeout: 60_000 }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, out: `${stdout}${stderr}` });
      });
    });
  } finally {
    fs.rmSync(f, { force: true });
  }
}

describe('commit checks inside the appliance', () => {
  it('pass when every check passes: http from 127.0.0.1, port, mount, file, command', async () => {
    const file = path.join(os.tmpdir(), `yoke-commit-file-${process.pid}`);
    fs.writeFileSync(file, 'version 2\n');
    fs.chmodSync(file, 0o640);
    const script = scriptFor([
      `  - http: { port: ${port}, path: /, status: 200, contains: hello from the appliance }`,
      `  - http: { port: ${port}, path: /gone, status: 404 }`,
      `  - port: ${port}`,
      '  - mount: /',
      `  - file: { path: ${file}, contains: version 2, mode: "0640" }`,
      '  - command: { run: "echo 3", stdout: "3" }',
      '  - command: { run: "printf \'x%s\' 42", stdout: "/^x[0-9]+$/" }',
      '  - command: { run: "exit 4", exit-code: 4 }',
      '',
    ].join('\n'));
    const r = await run(script);
    expect(r, r.out).toEqual({ code: 0, out: '' });
    fs.rmSync(file);
  });

  const failing: [string, string, RegExp][] = [
    ['http text', '  - http: { port: PORT, path: /, status: 200, contains: goodbye }', /check http :PORT\/ failed: GET http:\/\/127\.0\.0\.1:PORT\/ \(inside the appliance\) answered 200 without "goodbye"/],
    ['http status', '  - http: { port: PORT, path: /gone, status: 200 }', /answered 404, expected 200/],
    ['port', '  - port: 1', /check port 1 failed: nothing listens on guest TCP port 1/],
    ['mount', '  - mount: /no-such-mount', /nothing is mounted on \/no-such-mount/],
    ['file', '  - file: /no/such/file', /\/no\/such\/file does not exist/],
    ['command status', '  - command: { run: "echo oops >&2; exit 3" }', /exited with 3, expected 0: oops/],
    ['command output', '  - command: { run: "echo 2", stdout: "/^[3-9]$/" }', /printed 2, expected a match for \/\^\[3-9\]\$\//],
  ];
  for (const [what, check, message] of failing) {
    it(`fail with the first failing check and why (${what})`, async () => {
      const script = scriptFor(`  - mount: /\n${check.replace(/PORT/g, String(port))}\n  - file: /etc/passwd\n`);
      const r = await run(script);
      expect(r.code).toBe(1);
      expect(r.out.trim().split('\n'), r.out).toHaveLength(1);
      expect(r.out).toMatch(new RegExp(message.source.replace(/PORT/g, String(port))));
    });
  }
});
