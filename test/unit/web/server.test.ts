import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startServer, type RunningServer } from '../../../src-main/web/server';

// A real server with a real engine, spoken to by real HTTP and WebSocket clients.

let home: string;
let ui: string;
let server: RunningServer;

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      })
      .on('error', reject);
  });
}

/** Opens a socket; resolves with it when open, or with the HTTP status of the refusal. */
function connect(url: string, headers: Record<string, string>): Promise<{ ws: WebSocket } | { refused: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => resolve({ ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ refused: res.statusCode ?? 0 }));
    ws.on('error', () => resolve({ refused: -1 }));
  });
}

function call(ws: WebSocket, message: unknown): Promise<{ id: unknown; result: { ok: boolean; value?: unknown; error?: { code: string; message: string } } }> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))));
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  });
}

beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-serve-home-'));
  ui = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-serve-ui-'));
  fs.mkdirSync(path.join(ui, 'assets'));
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Yoke</title><script type="module" src="./assets/app.js"></script>');
  fs.writeFileSync(path.join(ui, 'assets', 'app.js'), 'console.log("yoke")');
  fs.writeFileSync(path.join(os.tmpdir(), 'yoke-serve-secret.txt'), 'TOP-SECRET-CONTENT');
  server = await startServer({ home, port: 0, uiDir: ui });
});

afterAll(async () => {
  await server?.close();
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(ui, { recursive: true, force: true });
});

const origin = () => `http://127.0.0.1:${server.port}`;
const wsUrl = (token?: string) => `ws://127.0.0.1:${server.port}/ws${token ? `?token=${token}` : ''}`;

/** Signs in with a fresh one-time link, as a browser does; resolves to the session cookie ("name=value"). */
async function signIn(): Promise<string> {
  const r = await get(server.loginUrl());
  expect(r.status).toBe(303);
  return String(r.headers['set-cookie']).split(';')[0];
}

describe('yoke serve over HTTP', () => {
  it('prints a loopback URL carrying a long random token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('refuses every request without the token with 401', async () => {
    for (const p of ['/', '/index.html', '/assets/app.js', '/ws', '/?token=wrong']) {
      const r = await get(origin() + p);
      expect(r.status, p).toBe(401);
      expect(r.body).not.toContain('<title>');
    }
  });

  it('trades the token for an HttpOnly SameSite=Strict cookie and the same address without the token', async () => {
    const signin = await get(server.loginUrl().replace('/?', '/assets/app.js?'));
    expect(signin.status).toBe(303);
    expect(signin.headers.location).toBe('/assets/app.js');
    const cookie = String(signin.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(server.token);

    const page = await get(`${origin()}/`, { Cookie: cookie.split(';')[0] });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Yoke</title>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const asset = await get(`${origin()}/assets/app.js`, { Cookie: cookie.split(';')[0] });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.body).toContain('yoke');
  });

  // Issue 15 item 8: the URL with the token was recorded in the browser's history and stayed valid.
  it('a sign-in token works once: the recorded URL is dead afterwards', async () => {
    const link = server.loginUrl();
    const first = await get(link);
    expect(first.status).toBe(303);
    const second = await get(link);
    expect(second.status).toBe(401);
    expect(second.body).toMatch(/this sign-in link was already used/);
    expect(second.headers['set-cookie']).toBeUndefined();
    // the browser that used it just goes on, with its cookie
    const again = await get(link, { Cookie: String(first.headers['set-cookie']).split(';')[0] });
    expect(again.status).toBe(303);
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('an unused --open link expires', async () => {
    const link = server.loginUrl(1);
    await new Promise((r) => setTimeout(r, 20));
    expect((await get(link)).status).toBe(401);
  });

  it('does not serve files outside the UI folder', async () => {
    const r = await get(`${origin()}/..%2Fyoke-serve-secret.txt`, { Cookie: await signIn() });
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('TOP-SECRET-CONTENT');
  });

  it('refuses a Host header other than its own (DNS rebinding)', async () => {
    const r = await get(server.loginUrl(), { Host: `attacker.example:${server.port}` });
    expect(r.status).toBe(403);
  });
});

describe('yoke serve over the WebSocket', () => {
  it('refuses a socket without the session cookie, token in the URL or not', async () => {
    expect(await connect(wsUrl(), { Origin: origin() })).toEqual({ refused: 401 });
    expect(await connect(wsUrl('wrong'), { Origin: origin() })).toEqual({ refused: 401 });
    const code = new URL(server.loginUrl()).searchParams.get('token')!;
    expect(await connect(wsUrl(code), { Origin: origin() })).toEqual({ refused: 401 });
  });

  it('refuses a socket with the cookie from a foreign page', async () => {
    const cookie = await signIn();
    expect(await connect(wsUrl(), { Origin: 'http://evil.example', Cookie: cookie })).toEqual({ refused: 403 });
    expect(await connect(wsUrl(), { Cookie: cookie })).toEqual({ refused: 403 });
  });

  it('round-trips commands for the server’s own page, and rejects invalid requests', async () => {
    const c = await connect(wsUrl(), { Origin: origin(), Cookie: await signIn() });
    if (!('ws' in c)) throw new Error(`socket refused with ${c.refused}`);
    const info = await call(c.ws, { id: 1, command: 'app.info', request: {} });
    expect(info.id).toBe(1);
    expect(info.result).toMatchObject({ ok: true, value: { face: 'web', home } });

    const bad = await call(c.ws, { id: 2, command: 'appliance.open', request: { dir: 42 } });
    expect(bad).toMatchObject({ id: 2, result: { ok: false, error: { code: 'invalid-request' } } });

    const unknown = await call(c.ws, { id: 3, command: 'shell.exec', request: {} });
    expect(unknown.result.error?.code).toBe('invalid-request');

    const garbage = await call(c.ws, 'not json');
    expect(garbage).toMatchObject({ id: null, result: { ok: false, error: { code: 'invalid-request' } } });
    c.ws.close();
  });
});

describe('yoke serve binding', () => {
  it('listens on 127.0.0.1 only', async () => {
    const addresses = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    for (const address of addresses) {
      const r = await get(`http://${address}:${server.port}/`).catch((e: NodeJS.ErrnoException) => e.code);
      expect(r, address).toBe('ECONNREFUSED');
    }
    const r6 = await get(`http://[::1]:${server.port}/`).catch((e: NodeJS.ErrnoException) => e.code);
    expect(['ECONNREFUSED', 'EADDRNOTAVAIL']).toContain(r6);
  });

  it('falls back to a free port when the default one is taken', async () => {
    const first = await startServer({ home, uiDir: ui });
    const second = await startServer({ home, uiDir: ui });
    try {
      expect(second.port).not.toBe(7420);
      expect(second.port).not.toBe(first.port);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('fails clearly when an explicitly requested port is taken', async () => {
    await expect(startServer({ home, port: server.port, uiDir: ui })).rejects.toThrow(`port ${server.port} on 127.0.0.1 is already in use`);
  });
});
