import { describe, expect, it } from 'vitest';
import { cookieName, isAllowedHost, isAllowedOrigin, newToken, parseCookies, sessionCookie, tokensEqual } from '../../../src-main/web/auth';

describe('tokens', () => {
  it('are 24 random bytes in URL-safe base64, different each time', () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newToken()).not.toBe(a);
  });

  it('compare exactly', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abd', 'abc')).toBe(false);
    expect(tokensEqual('ab', 'abc')).toBe(false);
    expect(tokensEqual(null, 'abc')).toBe(false);
    expect(tokensEqual('', 'abc')).toBe(false);
  });
});

describe('cookies', () => {
  it('carry the port in their name so two servers on one host do not clash', () => {
    expect(cookieName(7420)).not.toBe(cookieName(7421));
    expect(sessionCookie(7420, 'T')).toBe('yoke_token_7420=T; HttpOnly; SameSite=Strict; Path=/');
  });

  it('parse from a Cookie header', () => {
    expect(parseCookies('a=1; yoke_token_7420=abc=; b')).toEqual(
      new Map([
        ['a', '1'],
        ['yoke_token_7420', 'abc='],
      ]),
    );
    expect(parseCookies(undefined).size).toBe(0);
  });
});

describe('origins and hosts', () => {
  it('accept only the server itself', () => {
    expect(isAllowedOrigin('http://127.0.0.1:7420', 7420)).toBe(true);
    expect(isAllowedOrigin('http://localhost:7420', 7420)).toBe(true);
    for (const o of ['http://127.0.0.1:7421', 'https://127.0.0.1:7420', 'http://evil.example', 'null', undefined]) {
      expect(isAllowedOrigin(o, 7420), String(o)).toBe(false);
    }
    expect(isAllowedHost('127.0.0.1:7420', 7420)).toBe(true);
    expect(isAllowedHost('rebound.example:7420', 7420)).toBe(false);
    expect(isAllowedHost(undefined, 7420)).toBe(false);
  });
});
