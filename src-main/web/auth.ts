import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** 24 random bytes: the only thing standing between the engine and any local web page. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Cookies are shared by every port of a host, so two `yoke serve` processes on 127.0.0.1
 * would overwrite each other's cookie if the name did not carry the port.
 */
export function cookieName(port: number): string {
  return `yoke_token_${port}`;
}

export function sessionCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export function tokensEqual(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when the request carries the session cookie (the only credential a page or socket uses). */
export function hasSession(req: IncomingMessage, port: number, session: string): boolean {
  return tokensEqual(parseCookies(req.headers.cookie).get(cookieName(port)), session);
}

/**
 * The tokens in URLs (the one `yoke serve` prints, the one `--open` hands the browser) work once:
 * redeemed for the HttpOnly session cookie and dead afterwards, so a URL recorded in the
 * browser's history, a log or a screenshot opens nothing. The session itself never is in a URL.
 */
export class OneTimeCodes {
  private readonly live = new Map<string, number>(); // code -> expiry (ms since epoch; Infinity: none)

  issue(ttlMs = Infinity): string {
    const code = newToken();
    this.live.set(code, ttlMs === Infinity ? Infinity : Date.now() + ttlMs);
    return code;
  }

  /** True (and the code is spent) when `given` is a live code. */
  redeem(given: string | null): boolean {
    if (!given) return false;
    const now = Date.now();
    for (const [code, expiry] of this.live) {
      if (expiry < now) this.live.delete(code);
      else if (tokensEqual(given, code)) {
        this.live.delete(code);
        return true;
      }
    }
    return false;
  }
}

/** Host names a browser may use for this server; anything else is DNS rebinding or a mistake. */
export function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

/**
 * A WebSocket is not covered by the same-origin policy, so any page the user visits could try
 * to open one; only the server's own pages (Origin = http://<our host>) are let through.
 */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (!origin) return false;
  return allowedHosts(port).some((h) => origin.toLowerCase() === `http://${h}`);
}
