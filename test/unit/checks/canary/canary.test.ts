import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { newErrors, why, type Answer } from '../../../../src-main/checks/canary/compare';
import { readRequests } from '../../../../src-main/checks/canary/requests';
import { route } from '../../../../src-main/jobs/canary-job';

function file(name: string, text: string): string {
  const p = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-canary-')), name);
  fs.writeFileSync(p, text);
  return p;
}

const ok = (over: Partial<Answer> = {}): Answer => ({ status: 200, contentType: 'text/html', bytes: 10, ms: 20, body: 'hello', ...over });

describe('canary requests', () => {
  it('reads a combined access log: method, path with query, referer and user agent', () => {
    const log = file('access.log', [
      '10.0.0.7 - - [29/Nov/2026:10:00:01 +0000] "GET /search?q=disk HTTP/1.1" 200 512 "http://app/" "Mozilla/5.0 (X11)"',
      '',
      '10.0.0.8 - bob [29/Nov/2026:10:00:02 +0000] "POST /api/items HTTP/1.1" 201 12',
    ].join('\n'));
    expect(readRequests(log)).toEqual([
      { at: 1, method: 'GET', target: '/search?q=disk', headers: [['Referer', 'http://app/'], ['User-Agent', 'Mozilla/5.0 (X11)']] },
      { at: 3, method: 'POST', target: '/api/items', headers: [] },
    ]);
  });

  it('reads a HAR: URL host and port, headers without hop-by-hop ones, the POST body', () => {
    const har = file('x.har', JSON.stringify({ log: { version: '1.2', entries: [
      { request: { method: 'get', url: 'http://appliance.local/a?b=1', headers: [{ name: 'Accept', value: 'text/html' }, { name: 'Host', value: 'appliance.local' }, { name: ':path', value: '/a' }] } },
      { request: { method: 'POST', url: 'http://appliance.local:8080/api', headers: [], postData: { mimeType: 'application/json', text: '{"a":1}' } } },
    ] } }));
    expect(readRequests(har)).toEqual([
      { at: 1, method: 'GET', target: '/a?b=1', headers: [['Accept', 'text/html']], host: 'appliance.local', port: 80 },
      { at: 2, method: 'POST', target: '/api', headers: [], body: '{"a":1}', host: 'appliance.local', port: 8080 },
    ]);
  });

  it('says which line or entry is wrong', () => {
    expect(() => readRequests(file('bad.log', 'ok line? no\n'))).toThrow(/bad\.log:1: not a HAR file nor a common\/combined access log line/);
    expect(() => readRequests(file('bad.har', '{"log":{"entries":[{"request":{"url":"x"}}]}}'))).toThrow(/entry 1: a HAR entry needs request.method and request.url/);
    expect(() => readRequests(file('trunc.har', '{"log": {'))).toThrow(/not a HAR file/);
    expect(() => readRequests('/nonexistent/file.har')).toThrow(/no such file/);
  });

  it('skips requests the appliance cannot receive: another host, a port not forwarded', () => {
    const reqs = [
      { at: 1, method: 'GET', target: '/', headers: [], host: 'app', port: 80 },
      { at: 2, method: 'GET', target: '/', headers: [], host: 'cdn.example', port: 80 },
      { at: 3, method: 'GET', target: '/', headers: [], host: 'app', port: 9000 },
      { at: 4, method: 'GET', target: '/x', headers: [] },
    ];
    expect(route(reqs, [80]).map((r) => r.port ?? r.why)).toEqual([80, 'sent to another host (cdn.example, not app)', 'port 9000 is not forwarded (network.forward)', 80]);
  });
});

describe('canary comparison', () => {
  const opts = { ignore: [], bodies: false };
  it('holds on behaviour: status, content type, JSON shape, much slower, no answer', () => {
    expect(why(ok(), ok({ status: 404 }), opts)).toBe('status 200 → 404');
    expect(why(ok(), ok({ contentType: 'application/json; charset=utf-8' }), opts)).toBe('content type text/html → application/json');
    const j = (body: string) => ok({ contentType: 'application/json', body });
    expect(why(j('{"id":1,"name":"a"}'), j('{"id":2,"name":"b"}'), opts)).toBeNull();
    expect(why(j('{"id":1,"name":"a"}'), j('{"id":"1"}'), opts)).toMatch(/^JSON shape/);
    expect(why(ok({ ms: 30 }), ok({ ms: 3000 }), opts)).toMatch(/^slower/);
    expect(why(ok(), ok({ status: 0, error: 'ECONNRESET' }), opts)).toMatch(/NEW did not answer \(ECONNRESET\)/);
  });

  it('changed text does not hold unless asked, and volatile parts never count', () => {
    expect(why(ok({ body: 'hello' }), ok({ body: 'hello, world' }), opts)).toBeNull();
    expect(why(ok({ body: 'hello' }), ok({ body: 'hello, world' }), { ignore: [], bodies: true })).toMatch(/body differs/);
    expect(why(ok({ body: 'at 2026-11-29T10:00:01Z id 0b0f3f2e-1c1d-4e5f-8a9b-1234567890ab' }), ok({ body: 'at 2026-11-29T10:05:09Z id 7a7f3f2e-1c1d-4e5f-8a9b-1234567890ff' }), { ignore: [/\b\d{4}-\d\d-\d\dT\S+Z/g, /\b[0-9a-f-]{36}\b/g], bodies: true })).toBeNull();
  });

  it('finds error lines NEW printed that OLD did not, whatever their numbers', () => {
    expect(newErrors('web: error 12 in read\nok', 'web: error 14 in read\nsqlite: database is locked: fatal\nok')).toEqual(['sqlite: database is locked: fatal']);
  });
});
