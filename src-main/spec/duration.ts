// Check timeouts: `10s`, `500ms`, `2m`, or a bare number of seconds.

export const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?\\s*(ms|s|m)$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
export const DURATION_HINT = 'a duration like 10s, 500ms or 2m, or a number of seconds';

/** Milliseconds, or null when the value is not a positive duration. */
export function parseDuration(value: unknown): number | null {
  let ms: number;
  if (typeof value === 'number') ms = value * 1000;
  else if (typeof value === 'string' && DURATION_RE.test(value.trim())) {
    const m = /^([0-9.]+)\s*(ms|s|m)$/.exec(value.trim())!;
    ms = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60000);
  } else return null;
  ms = Math.round(ms);
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}
