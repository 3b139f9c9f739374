// The requests a canary replays, read from what QA has: a HAR 1.2 file (what browsers export) or
// an access log in the common or combined format (what nginx and Apache write). Hand-written:
// both formats are small and fixed, and an error must name the entry or line that is wrong.
import fs from 'node:fs';

export interface ReplayRequest {
  /** 1-based: the HAR entry or the log line. */
  at: number;
  method: string;
  /** Path and query string, as sent. */
  target: string;
  headers: [string, string][];
  body?: string;
  /** From a HAR's URL: where it was sent (the appliance's address on the customer's network). */
  host?: string;
  port?: number;
}

export class RequestsFileError extends Error {}

// Hop-by-hop and connection-specific headers are the replayer's own business.
const DROP = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'proxy-connection', 'te', 'trailer', 'accept-encoding']);

function fromHar(file: string, text: string): ReplayRequest[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new RequestsFileError(`${file}: not a HAR file: ${(e as Error).message}`);
  }
  const entries = (doc as { log?: { entries?: unknown } }).log?.entries;
  if (!Array.isArray(entries)) throw new RequestsFileError(`${file}: not a HAR file: it has no log.entries list (HAR 1.2: {"log":{"entries":[…]}}).`);
  return entries.map((e, i) => {
    const req = (e as { request?: { method?: unknown; url?: unknown; headers?: unknown; postData?: { text?: unknown } } }).request;
    if (!req || typeof req.method !== 'string' || typeof req.url !== 'string') throw new RequestsFileError(`${file}: entry ${i + 1}: a HAR entry needs request.method and request.url.`);
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      throw new RequestsFileError(`${file}: entry ${i + 1}: request.url ${JSON.stringify(req.url).slice(0, 120)} is not a URL.`);
    }
    const headers = Array.isArray(req.headers)
      ? (req.headers as { name?: unknown; value?: unknown }[])
          .filter((h) => typeof h.name === 'string' && typeof h.value === 'string' && !h.name.startsWith(':') && !DROP.has(h.name.toLowerCase()))
          .map((h) => [h.name as string, h.value as string] as [string, string])
      : [];
    const body = typeof req.postData?.text === 'string' ? req.postData.text : undefined;
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { at: i + 1, method: req.method.toUpperCase(), target: `${url.pathname}${url.search}`, headers, ...(body !== undefined ? { body } : {}), host: url.hostname, port };
  });
}

// %h %l %u %t "%r" %>s %b, optionally "%{Referer}i" "%{User-Agent}i" (the combined format).
const LOG_LINE = /^(\S+) (\S+) (\S+) \[([^\]]+)\] "([^"]*)" (\d{3}|-) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?\s*$/;

function fromLog(file: string, text: string): ReplayRequest[] {
  const out: ReplayRequest[] = [];
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (!line.trim()) return;
    const m = LOG_LINE.exec(line);
    if (!m) throw new RequestsFileError(`${file}:${i + 1}: not a HAR file nor a common/combined access log line: ${JSON.stringify(line.slice(0, 120))}`);
    const parts = m[5].split(' ');
    if (parts.length < 2 || !/^[A-Z]+$/.test(parts[0]) || !parts[1].startsWith('/')) {
      throw new RequestsFileError(`${file}:${i + 1}: the request "${m[5].slice(0, 80)}" is not "METHOD /path PROTOCOL" (a client that sent garbage is not worth replaying: remove the line).`);
    }
    const headers: [string, string][] = [];
    if (m[8] && m[8] !== '-') headers.push(['Referer', m[8]]);
    if (m[9] && m[9] !== '-') headers.push(['User-Agent', m[9]]);
    out.push({ at: i + 1, method: parts[0], target: parts[1], headers });
  });
  if (out.length === 0) throw new RequestsFileError(`${file}: no requests in it.`);
  return out;
}

export function readRequests(file: string): ReplayRequest[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new RequestsFileError(`--requests ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}.`);
  }
  return text.trimStart().startsWith('{') ? fromHar(file, text) : fromLog(file, text);
}
