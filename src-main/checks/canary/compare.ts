// How a canary judges NEW against OLD on the same request: behaviour, not content. A status code
// or a content type that changed, a JSON answer whose shape changed, a much slower answer, or an
// error line NEW's services print that OLD's did not, holds the candidate. Text that changed (a
// page's wording) is reported, and holds only with `bodies: true`. Volatile parts (dates, ids)
// are blanked before bodies are compared.
export interface Answer {
  status: number;
  contentType: string;
  bytes: number;
  ms: number;
  body: string;
  /** Set when no answer came: refused, reset, timed out. */
  error?: string;
}

export interface CompareOptions {
  /** Regular expressions whose matches are blanked in bodies before they are compared. */
  ignore: RegExp[];
  /** Hold on any body difference, not only on JSON shape. */
  bodies: boolean;
}

/** Parts of an answer that differ on every request: dates, times, UUIDs, long hex ids. */
export const DEFAULT_IGNORE: RegExp[] = [
  /\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?\b/g,
  /\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT\b/g,
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
  /\b[0-9a-f]{24,}\b/gi,
];

export function normalise(body: string, ignore: RegExp[]): string {
  let s = body;
  for (const re of ignore) s = s.replace(new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`), '…');
  return s;
}

function mediaType(ct: string): string {
  return ct.split(';')[0].trim().toLowerCase();
}

/** A JSON value's shape: object keys and value types, not values. */
export function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length ? [shape(v[0])] : [];
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]));
  return v === null ? 'null' : typeof v;
}

/** Why NEW's answer differs in behaviour from OLD's, or null when it does not. */
export function why(old: Answer, neu: Answer, o: CompareOptions): string | null {
  if (old.error || neu.error) {
    if (old.error && neu.error) return null;
    return neu.error ? `NEW did not answer (${neu.error}); OLD answered ${old.status}` : `NEW answered ${neu.status} where OLD did not (${old.error})`;
  }
  if (old.status !== neu.status) return `status ${old.status} → ${neu.status}`;
  if (mediaType(old.contentType) !== mediaType(neu.contentType)) return `content type ${mediaType(old.contentType) || 'none'} → ${mediaType(neu.contentType) || 'none'}`;
  if (/json/.test(mediaType(old.contentType))) {
    try {
      const a = JSON.stringify(shape(JSON.parse(old.body)));
      const b = JSON.stringify(shape(JSON.parse(neu.body)));
      if (a !== b) return `JSON shape ${a.slice(0, 120)} → ${b.slice(0, 120)}`;
    } catch {
      // not JSON after all: compare as text below
    }
  }
  if (o.bodies && normalise(old.body, o.ignore) !== normalise(neu.body, o.ignore)) return `body differs (${old.bytes} → ${neu.bytes} bytes)`;
  // Latency under emulation is noisy: only an answer several times slower counts.
  if (neu.ms > Math.max(5 * old.ms, old.ms + 1000)) return `slower: ${Math.round(old.ms)} ms → ${Math.round(neu.ms)} ms`;
  return null;
}

const ERROR_LINE = /\b(error|fatal|panic|exception|traceback|segfault|segmentation fault|failed|denied)\b/i;

/** An error line with what varies between runs (numbers, pids, times) taken out, to match across VMs. */
function errorKey(line: string): string {
  return line.replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

/** Error lines NEW printed during the replay that OLD did not print. */
export function newErrors(oldConsole: string, newConsole: string): string[] {
  const oldKeys = new Set(oldConsole.split(/\r?\n/).filter((l) => ERROR_LINE.test(l)).map(errorKey));
  const seen = new Set<string>();
  const out: string[] = [];
  for (const l of newConsole.split(/\r?\n/)) {
    if (!ERROR_LINE.test(l)) continue;
    const k = errorKey(l);
    if (oldKeys.has(k) || seen.has(k)) continue;
    seen.add(k);
    out.push(l.trim());
  }
  return out;
}
