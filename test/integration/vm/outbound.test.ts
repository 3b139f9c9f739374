// Issue 15 item 4: a VM under test reached every service on the host's 127.0.0.1 through
// 10.0.2.2 (it reached `yoke serve`). By default the guest's network is restricted; the spec's
// network.outbound: true opens it. Proven against a real HTTP server on the host's loopback.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Machine } from '../../../src-main/vm/machine';
import { FIXTURE_APPEND, ensureTestKernel, makeFixtureInitramfs, makeTestHome } from './fixture';

describe('guest -> host loopback (TCG)', () => {
  let server: http.Server;
  let port = 0;
  const hits: string[] = [];
  const machines: Machine[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('host secret\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    for (const m of machines) await m.kill();
    server.close();
  });

  // busybox nc, not wget: the host's static busybox wget crashes resolving in the fixture.
  const get = (urlPath: string) => `printf 'GET ${urlPath} HTTP/1.0\\r\\n\\r\\n' | nc -w 5 10.0.2.2 ${port}; echo "rc=$?"`;

  async function boot(outbound: boolean | undefined): Promise<Machine> {
    const home = makeTestHome('yoke-outbound-');
    const { kernel } = ensureTestKernel();
    const m = new Machine({ home, kernel, initrd: makeFixtureInitramfs(path.join(home, 'initrd.cpio')), append: FIXTURE_APPEND, forwards: [{ guest: 80 }], control: true, outbound });
    machines.push(m);
    await m.start();
    await m.waitForControl(90_000);
    return m;
  }

  it('by default the guest cannot reach a server on the host 127.0.0.1, and forwards into it still work', async () => {
    const m = await boot(undefined);
    const r = await m.execute(get('/from-default-guest'), { timeoutMs: 30_000 });
    expect(r.stdout).not.toContain('host secret');
    expect(hits).not.toContain('/from-default-guest');
    // hostfwd is unaffected: the host reaches the guest's web server.
    const res = await fetch(`http://127.0.0.1:${m.hostPort(80)}/`);
    expect(await res.text()).toContain('hello from the fixture');
  }, 180_000);

  it('with network.outbound: true the same request reaches the host (so the test above can fail)', async () => {
    const m = await boot(true);
    const r = await m.execute(get('/from-outbound-guest'), { timeoutMs: 30_000 });
    expect(r.stdout).toContain('host secret');
    expect(hits).toContain('/from-outbound-guest');
  }, 180_000);
});
