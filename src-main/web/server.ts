import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { Engine } from '../api/engine';
import { rendererDir } from '../util/resources';
import { hasSession, isAllowedHost, isAllowedOrigin, newToken, OneTimeCodes, sessionCookie } from './auth';
import { SECURITY_HEADERS } from './csp';
import { serveSocket, type EngineFace } from './socket-protocol';
import { contentType, lookupStatic } from './static-files';

/** The fixed port people can bookmark; a free one is used when it is taken. */
export const DEFAULT_PORT = 7420;
const HOST = '127.0.0.1';
const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface ServerOptions {
  home: string;
  /** undefined: 7420, else a free port. 0: any free port. N: exactly N (fails when taken). */
  port?: number;
  /** An engine to serve; when absent one is created for `home` and closed with the server. */
  engine?: EngineFace;
  /** Folder holding the built UI (defaults to out/renderer). */
  uiDir?: string;
}

export interface RunningServer {
  /** The sign-in URL printed for the person: its token works once. */
  url: string;
  port: number;
  /** The one-time token of `url`. */
  token: string;
  /** A fresh one-time sign-in URL (for `--open`), dead after `ttlMs` if unused. */
  loginUrl(ttlMs?: number): string;
  close(): Promise<void>;
}

const UNAUTHORIZED =
  'Yoke: this address needs its access token. Open the full URL that `yoke serve` printed ' +
  '(http://127.0.0.1:PORT/?token=...).\n';
const SPENT =
  'Yoke: this sign-in link was already used (each works once, so a link kept in history or a log opens nothing). ' +
  'Go back to the browser that used it, or restart `yoke serve` for a new link.\n';

function reply(res: http.ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}

function listen(server: http.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, HOST);
  });
}

async function listenWithFallback(server: http.Server, requested: number | undefined): Promise<number> {
  if (requested !== undefined) {
    try {
      return await listen(server, requested);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        throw new Error(`port ${requested} on ${HOST} is already in use; pick another with --port N, or --port 0 for any free port`);
      }
      throw e;
    }
  }
  try {
    return await listen(server, DEFAULT_PORT);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    return listen(server, 0);
  }
}

/**
 * `yoke serve`: the built UI and the contract over a WebSocket, on loopback only, behind a
 * random token. A load with `?token=` trades the (one-time) token for an HttpOnly session cookie
 * and is redirected to the same address without it, so the page's own scripts and socket are
 * let in, nothing else is, and the URL that carried the token is dead.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const ownsEngine = !options.engine;
  const engine: EngineFace = options.engine ?? new Engine({ home: options.home, face: 'web' });
  const uiDir = options.uiDir ?? rendererDir();
  const session = newToken();
  const codes = new OneTimeCodes();
  const token = codes.issue();
  let port = 0;

  const server = http.createServer((req, res) => {
    if (!isAllowedHost(req.headers.host, port)) return reply(res, 403, 'Yoke: unexpected Host header.\n');
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    if (url.searchParams.has('token')) {
      const redeemed = codes.redeem(url.searchParams.get('token'));
      if (!redeemed && !hasSession(req, port, session)) return reply(res, 401, SPENT);
      // Same address without the token: what the browser shows, keeps and reloads carries none.
      url.searchParams.delete('token');
      return reply(res, 303, '', { Location: url.pathname + url.search, ...(redeemed ? { 'Set-Cookie': sessionCookie(port, session) } : {}) });
    }
    if (!hasSession(req, port, session)) return reply(res, 401, UNAUTHORIZED);
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'Yoke: only GET is served here.\n', { Allow: 'GET, HEAD' });
    if (url.pathname === '/ws') return reply(res, 426, 'Yoke: /ws is a WebSocket.\n', { Upgrade: 'websocket' });

    const found = lookupStatic(uiDir, url.pathname);
    if (found.kind === 'not-built') {
      return reply(res, 503, `Yoke: the UI is not built (no ${uiDir}/index.html). Run 'npm run build' and restart 'yoke serve'.\n`);
    }
    if (found.kind === 'missing') return reply(res, 404, `Yoke: ${url.pathname} not found.\n`);
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'Content-Type': contentType(found.file),
      // Vite's asset names carry a content hash; the page itself must always be fresh.
      'Cache-Control': found.index ? 'no-store' : 'private, max-age=31536000, immutable',
    };
    fs.stat(found.file, (statErr, stat) => {
      if (statErr) return reply(res, 404, `Yoke: ${url.pathname} not found.\n`);
      res.writeHead(200, { ...headers, 'Content-Length': String(stat.size) });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(found.file).on('error', () => res.destroy()).pipe(res);
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', `http://${HOST}:${port}`);
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (!isAllowedHost(req.headers.host, port)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!hasSession(req, port, session)) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (!isAllowedOrigin(req.headers.origin, port)) return refuseUpgrade(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, engine));
  });

  try {
    port = await listenWithFallback(server, options.port);
  } catch (e) {
    if (ownsEngine) await engine.close();
    throw e;
  }

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= (async () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (ownsEngine) await engine.close();
    })();
    return closing;
  };

  const loginUrl = (ttlMs?: number) => `http://${HOST}:${port}/?token=${codes.issue(ttlMs)}`;
  return { url: `http://${HOST}:${port}/?token=${token}`, port, token, loginUrl, close };
}
