import http from 'node:http';
import type { Answer } from './compare';
import type { ReplayRequest } from './requests';

/** Answers kept for comparison are cut here: a canary compares behaviour, not downloads. */
const MAX_BODY = 1024 * 1024;

/** Sends one recorded request to 127.0.0.1:port (a VM's forward) and reads the whole answer. */
export function replay(r: ReplayRequest, port: number, timeoutMs = 30_000): Promise<Answer> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: r.method,
        path: r.target,
        headers: Object.fromEntries(r.headers),
        timeout: timeoutMs,
        // What curl and browsers accept (LF-only header lines from a CGI script, say).
        insecureHTTPParser: true,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes <= MAX_BODY) chunks.push(c);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), bytes, ms: performance.now() - started, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (e) => resolve({ status: 0, contentType: '', bytes, ms: performance.now() - started, body: '', error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (e) => resolve({ status: 0, contentType: '', bytes: 0, ms: performance.now() - started, body: '', error: e.message }));
    if (r.body !== undefined) req.write(r.body);
    req.end();
  });
}
