import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { probeHttp, type HttpCheck } from '../../../src-main/checks/kinds/http';

// A real TCP server that writes exactly the bytes given, as a busybox CGI script or a
// hand-rolled server would, so the probe is tested against the wire, not a mock.
const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

async function rawServer(answer: string): Promise<number> {
  const server = net.createServer((socket) => {
    socket.once('data', () => socket.end(answer));
    socket.on('error', () => undefined);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

const check = (contains?: string): HttpCheck => ({ kind: 'http', port: 80, path: '/', status: 200, ...(contains ? { contains } : {}) });

describe('the http check reads answers the way curl and browsers do', () => {
  it('accepts LF-only header lines and says the answer was malformed', async () => {
    const port = await rawServer('HTTP/1.0 200 OK\nContent-Type: text/html\n\n<h1>hello</h1>\n');
    const r = await probeHttp(check('hello'), port, 3);
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/answered 200 containing "hello" \(malformed but accepted, as curl and browsers do: Missing expected CR/);
  });

  it('accepts a status line without a reason phrase (LF-only too)', async () => {
    const port = await rawServer('HTTP/1.0 200\nContent-Type: text/plain\n\nhello');
    const r = await probeHttp(check('hello'), port, 3);
    expect(r.ok).toBe(true);
    expect(r.detail).toContain('malformed but accepted');
  });

  it('still fails a malformed answer with the wrong status, and says both', async () => {
    const port = await rawServer('HTTP/1.0 500 Oops\nContent-Type: text/plain\n\nbroken');
    const r = await probeHttp(check(), port, 3);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/answered 500, expected 200 \(malformed but accepted/);
  });

  it('says nothing about a well-formed answer', async () => {
    const port = await rawServer('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello');
    const r = await probeHttp(check('hello'), port, 3);
    expect(r).toEqual({ ok: true, detail: expect.not.stringContaining('malformed') });
  });

  it('does not accept what is not HTTP at all', async () => {
    const port = await rawServer('SSH-2.0-OpenSSH_9.2\r\n');
    const r = await probeHttp(check(), port, 3);
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/failed: /);
  });
});
