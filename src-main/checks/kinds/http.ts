// http: an HTTP request from the host, through the port forward, answers a status (and text).
// qemu's user network accepts a connection before anything listens in the guest, so a try
// must give up quickly (0.2 s without a byte) or readiness would be reported late.
import http from 'node:http';
import { z } from 'zod';
import { describeValue } from '../../spec/describe';
import { expected, port, strict, text, why } from '../../spec/zod-rules';
import { shQuote } from '../../vm/control-frame';
import { defineKind, numberField, opt, textField, type ProbeOutcome } from './kind';

const MAX_BODY = 1024 * 1024;

export function httpGet(port: number, urlPath: string, idleMs: number, lenient = false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const path = urlPath.startsWith('/') ? urlPath : `/${urlPath}`;
    const req = http.get({ host: '127.0.0.1', port, path, timeout: idleMs, agent: false, insecureHTTPParser: lenient }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (b: Buffer) => {
        if (size < MAX_BODY) chunks.push(b);
        size += b.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${idleMs} ms`)));
    req.on('error', reject);
  });
}

/**
 * A GET read the way curl and browsers read answers: strictly first, and when Node's strict
 * parser refuses the answer (LF-only line ends, as a busybox CGI script prints them; a status
 * line without its reason phrase and CR), once more with Node's lenient parser (llhttp's lenient
 * flags, `insecureHTTPParser`), saying what was wrong. Node's own parser rather than a
 * hand-written one: it already has the leniency; only the decision when to use it is ours.
 */
export async function lenientGet(port: number, urlPath: string, idleMs: number): Promise<{ status: number; body: string; malformed?: string }> {
  try {
    return await httpGet(port, urlPath, idleMs);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.code?.startsWith('HPE_')) throw err;
    const why = e.message.replace(/^Parse Error: /, '');
    return { ...(await httpGet(port, urlPath, idleMs, true)), malformed: why };
  }
}

/** The per-try timeout grows slowly from 0.2 s to 1 s, so a slow (TCG) guest still gets an answer through. */
export function httpTryTimeout(attempt: number): number {
  return Math.min(1000, Math.round(200 * 1.25 ** attempt));
}

export type HttpCheck = { kind: 'http'; port: number; path: string; status: number; contains?: string };

export async function probeHttp(check: HttpCheck, hostPort: number | undefined, attempt: number): Promise<ProbeOutcome> {
  if (hostPort === undefined) {
    return {
      ok: false,
      final: true,
      detail: `guest port ${check.port} is not forwarded to the host; add { guest: ${check.port} } to network.forward in appliance.yaml`,
    };
  }
  const what = `GET http://127.0.0.1:${hostPort}${check.path} (guest port ${check.port})`;
  try {
    const { status, body, malformed } = await lenientGet(hostPort, check.path, httpTryTimeout(attempt));
    // Accepted as curl and browsers accept it, but said, so the author can fix the server.
    const note = malformed ? ` (malformed but accepted, as curl and browsers do: ${malformed})` : '';
    if (status !== check.status) return { ok: false, detail: `${what} answered ${status}, expected ${check.status}${note}` };
    if (check.contains !== undefined && !body.includes(check.contains)) {
      const start = body.trim().slice(0, 120);
      return { ok: false, detail: `${what} answered ${status} but the body lacks ${JSON.stringify(check.contains)} (body starts ${JSON.stringify(start)})${note}` };
    }
    return { ok: true, detail: `${what} answered ${status}${check.contains !== undefined ? ` containing ${JSON.stringify(check.contains)}` : ''}${note}` };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code === 'ECONNRESET' ? 'the connection was reset (nothing listening in the guest yet?)' : e.message;
    return { ok: false, detail: `${what} failed: ${reason}` };
  }
}

const statusCode = z
  .int(expected('an HTTP status code'))
  .min(100, why((v) => `expected an HTTP status code 100..599, found ${String(v)}`))
  .max(599, why((v) => `expected an HTTP status code 100..599, found ${String(v)}`));

const Http = strict('a mapping { port, path, status, contains }', {
  port: port('Guest port (must be in network.forward)'),
  path: z.string(expected('a URL path like /')).regex(/^\//, why((v) => `expected a URL path starting with '/', found ${describeValue(v)}`)).meta({ default: '/' }).optional(),
  status: statusCode.meta({ default: 200 }).optional(),
  contains: text('text the response body must contain').optional(),
});

const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

export const httpKind = defineKind({
  kind: 'http',
  schema: Http.meta({ title: 'HTTP request from the host, through the forward' }),
  normalize: (raw: z.infer<typeof Http>) => {
    const p = raw.path ?? '/';
    return { name: `http :${raw.port}${p}`, check: { kind: 'http', port: raw.port, path: p, status: raw.status ?? 200, ...opt('contains', raw.contains) } as HttpCheck };
  },
  probe: (check, t) => probeHttp(check, t.hostPort(check.port), t.attempt),
  // Inside the appliance with busybox nc (its wget -S crashes in Debian's static busybox 1.35):
  // HTTP/1.0, so the server closes the connection and nc returns the whole answer.
  inGuest: (c) => {
    const p = c.path.startsWith('/') ? c.path : `/${c.path}`;
    const url = `http://127.0.0.1:${c.port}${p}`;
    const lines = [
      `r=$(printf 'GET %s HTTP/1.0\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' ${shQuote(p)} | nc -w 10 127.0.0.1 ${c.port}); st=$(printf '%s\\n' "$r" | head -n 1 | awk '{ print $2 }')`,
      `[ "$st" = ${c.status} ] || { echo "GET ${url} (inside the appliance) answered \${st:-nothing}, expected ${c.status}"; exit 1; }`,
    ];
    if (c.contains !== undefined) lines.push(`printf '%s\\n' "$r" | tr -d '\\r' | sed '1,/^$/d' | grep -qF -e ${shQuote(c.contains)} || { echo ${shQuote(`GET ${url} (inside the appliance) answered ${c.status} without ${JSON.stringify(c.contains)}`)}; exit 1; }`);
    return lines.join('\n');
  },
  retry: 'http',
  label: 'An HTTP request answers',
  fields: [
    { name: 'port', label: 'Guest port', type: 'number', required: true },
    { name: 'path', label: 'Path', type: 'text', required: false },
    { name: 'status', label: 'Status', type: 'number', required: false },
    { name: 'contains', label: 'Body contains', type: 'text', required: false },
  ],
  example: { port: 80, path: '/', status: 200, contains: 'hello' },
  wizardValue: (f) => ({
    port: numberField(f, 'port') ?? 0,
    path: textField(f, 'path') ?? '/',
    status: numberField(f, 'status') ?? 200,
    ...opt('contains', textField(f, 'contains')),
  }),
  crossCheck(value, { guestPorts }) {
    const p = value !== null && typeof value === 'object' ? (value as Record<string, unknown>).port : undefined;
    // an out-of-range port is already reported by the schema; saying it again would only repeat that
    if (!isPort(p) || guestPorts.has(p)) return [];
    return [{ path: ['port'], message: `http check on guest port ${p}, but network.forward has no { guest: ${p} }; add it so the host can reach the port` }];
  },
});
