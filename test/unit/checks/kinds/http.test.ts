import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpKind, probeHttp, type HttpCheck } from '../../../../src-main/checks/kinds/http';

// A real HTTP server on the loopback stands in for the guest behind its port forward.
let server: http.Server;
let port: number;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/reset') return req.socket.destroy();
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/plain' });
    res.end(req.url === '/' ? 'hello from the guest\n' : 'not here\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const check = (over: Partial<HttpCheck> = {}): HttpCheck => ({ kind: 'http', port: 80, path: '/', status: 200, ...over });

describe('http', () => {
  it('passes on the status and text asked for, through the forward the target names', async () => {
    const r = await httpKind.probe(check({ contains: 'hello' }), { run: () => Promise.reject(new Error('no guest command')), hostPort: () => port, serviceRun: () => undefined, attempt: 0 });
    expect(r).toEqual({ ok: true, detail: `GET http://127.0.0.1:${port}/ (guest port 80) answered 200 containing "hello"` });
  });

  it('says what it got: another status, a body without the text, a reset connection', async () => {
    expect((await probeHttp(check({ path: '/missing' }), port, 0)).detail).toBe(`GET http://127.0.0.1:${port}/missing (guest port 80) answered 404, expected 200`);
    expect((await probeHttp(check({ contains: 'bye' }), port, 0)).detail).toMatch(/answered 200 but the body lacks "bye" \(body starts "hello from the guest"\)/);
    expect((await probeHttp(check({ path: '/reset' }), port, 0)).detail).toMatch(/failed: the connection was reset \(nothing listening in the guest yet\?\)|failed: socket hang up/);
  });

  it('gives up at once (no retry) when the port is not forwarded, and says how to fix it', async () => {
    const r = await probeHttp(check({ port: 8080 }), undefined, 0);
    expect(r).toEqual({ ok: false, final: true, detail: 'guest port 8080 is not forwarded to the host; add { guest: 8080 } to network.forward in appliance.yaml' });
  });
});
