// Sizes as people write them in appliance.yaml: 512M, 1G, 20G, 1.5GiB, 64MB.
// Units are binary (1024-based) whatever the spelling, as disk tools use them.

export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)?\\s*([KMGTkmgt](i?[Bb])?|[Bb])$';
const SIZE_RE = new RegExp(SIZE_PATTERN);
const UNIT: Record<string, number> = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 };

export const SIZE_HINT = 'a number and a unit, like 512M, 1G, 20G';

/** Bytes for a size string, or null when it is not a size. Fractions round down to whole KiB. */
export function parseSize(text: string): number | null {
  const t = text.trim();
  if (!SIZE_RE.test(t)) return null;
  const m = /^([0-9.]+)\s*([A-Za-z]+)$/.exec(t);
  if (!m) return null;
  const unit = UNIT[m[2][0].toUpperCase()];
  const n = Number(m[1]);
  const bytes = unit === 1 ? n : Math.floor((n * unit) / 1024) * 1024;
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/** The shortest exact spelling of a byte count: 268435456 -> "256M", 1000 -> "1000B". */
export function formatSize(bytes: number): string {
  for (const [u, f] of [['T', 1024 ** 4], ['G', 1024 ** 3], ['M', 1024 ** 2], ['K', 1024]] as const) {
    if (bytes >= f && bytes % f === 0) return `${bytes / f}${u}`;
  }
  return `${bytes}B`;
}
