/*
 * rootfs.exclude globs: gitignore-like patterns over '/'-separated paths relative to the overlay.
 * `**` as a whole segment spans folders (zero or more; one or more at the end, like gitignore's
 * trailing `/**`), `*` and `?` stay within one name, a pattern without a slash matches at any
 * depth, and an excluded folder takes its contents along.
 *
 * Hand-written on purpose, and without regular expressions: every maintained JavaScript glob
 * matcher compiles to a backtracking RegExp, and a pattern is input from a spec someone else may
 * have written. Measured on this machine: picomatch 4.0.7 takes 3.2 s for `*a*a*a*a*a*a*a*b`
 * against a 60-character name and over two minutes for `** /a/** /a/** /a/** /b` (without the
 * spaces) against a deep path; minimatch 10.2.6 is exponential in the same way and its README
 * says no RegExp-based matcher can defend against hostile patterns. This matcher does at most
 * (pattern segments x path segments) name comparisons, each at most (pattern length x name
 * length) steps, so `*a*a*a*a*a*a*a*b` against a 100-character name is microseconds.
 */

const GLOBSTAR = Symbol('**');
type Segment = string | typeof GLOBSTAR;

export interface Glob {
  readonly source: string;
  readonly segments: readonly Segment[];
}

/** Compiles one exclude pattern. */
export function compileGlob(glob: string): Glob {
  let g = glob.replace(/^\.?\/+/, '').replace(/\/+$/, '');
  if (!g) return { source: glob, segments: [] }; // an empty pattern excludes nothing
  // A pattern without a slash matches at any depth, like .gitignore.
  if (!g.includes('/')) g = `**/${g}`;
  const segments: Segment[] = [];
  for (const s of g.split('/')) {
    if (s === '') continue; // "a//b" means "a/b"
    const seg: Segment = s === '**' ? GLOBSTAR : s.replace(/\*{2,}/g, '*'); // "a**b" inside a name is "a*b"
    if (seg === GLOBSTAR && segments.at(-1) === GLOBSTAR) continue; // "**/**" is "**"
    segments.push(seg);
  }
  return { source: glob, segments };
}

/**
 * One name against one segment pattern (`*`, `?`, literal characters): the classic greedy
 * wildcard walk, which only ever backtracks to the most recent `*` — linear in practice,
 * O(pattern x name) at worst.
 */
export function matchName(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let mark = 0;
  while (n < name.length) {
    if (p < pattern.length && (pattern[p] === '?' || (pattern[p] !== '*' && pattern[p] === name[n]))) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/**
 * The path against a compiled glob; a table of (segment, part) outcomes keeps it polynomial.
 * `orParent`: also true when a parent folder of the path matches (one pass, not one per parent).
 */
export function matchGlob(glob: Glob, rel: string, orParent = false): boolean {
  const parts = rel.split('/');
  const segs = glob.segments;
  if (!segs.length) return false;
  const memo = new Map<number, boolean>();
  const width = parts.length + 1;
  const go = (s: number, i: number): boolean => {
    const key = s * width + i;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let r: boolean;
    if (s === segs.length) r = orParent || i === parts.length;
    else if (segs[s] === GLOBSTAR) {
      // Trailing "**" needs at least one part (the folder's contents, not the folder); others may match none.
      const last = s === segs.length - 1;
      r = (!last && go(s + 1, i)) || (i < parts.length && (go(s + 1, i + 1) || go(s, i + 1)));
    } else r = i < parts.length && matchName(segs[s] as string, parts[i]) && go(s + 1, i + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** True when `rel` or one of its parent folders matches one of the globs (an excluded folder takes its contents along). */
export function isExcluded(rel: string, globs: readonly Glob[]): boolean {
  return globs.some((g) => matchGlob(g, rel, true));
}

/** True when `rel` itself matches (for walks that never enter an excluded folder). */
export function matchesAny(rel: string, globs: readonly Glob[]): boolean {
  return globs.some((g) => matchGlob(g, rel));
}
