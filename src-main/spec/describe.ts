// Words for values and near-misses, shared by every message the spec loader writes.

/** How a found value reads in a message: 'abc', the number 80, a list, a mapping, nothing. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 37) + '...' : v}'`;
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'boolean') return `${v}`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v;
}

/** Edit distance where swapping two neighbours counts as one typo (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The closest candidate when it is close enough to be a typo, else undefined. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = distance(w, c.toLowerCase());
    if (d < bestD) [best, bestD] = [c, d];
  }
  const allowed = Math.max(1, Math.floor(Math.max(w.length, 3) / 3));
  return bestD <= allowed ? best : undefined;
}

export function quoteList(items: readonly string[]): string {
  return items.map((i) => `'${i}'`).join(', ');
}

/** Linux limits (PATH_MAX, NAME_MAX): past them every file call fails with ENAMETOOLONG. */
export const MAX_PATH_CHARS = 4095;
export const MAX_NAME_BYTES = 255;

/** A path short enough to quote in a message: the start and the end, with how much was left out. */
export function elidePath(p: string, max = 120): string {
  if (p.length <= max) return p;
  const keep = Math.floor((max - 20) / 2);
  return `${p.slice(0, keep)}…(${p.length - 2 * keep} more characters)…${p.slice(-keep)}`;
}

/** Why a path is too long for the system, or null when it is not. */
export function tooLongPath(p: string): string | null {
  if (p.length > MAX_PATH_CHARS) return `${p.length} characters, Linux allows ${MAX_PATH_CHARS}`;
  const long = p.split('/').find((n) => Buffer.byteLength(n) > MAX_NAME_BYTES);
  if (long !== undefined) return `one name in it is ${Buffer.byteLength(long)} bytes, Linux allows ${MAX_NAME_BYTES}`;
  return null;
}
