// The pure parts of comparing two builds: a line diff of their specs, a diff of their rootfs
// file lists, and rootfs bytes by directory for the treemap.
import type { NewcEntry } from '../build/newc';

export interface DiffLine {
  op: 'same' | 'add' | 'del';
  text: string;
}

/** Past this many cells the LCS table costs more than the answer is worth: show a replacement. */
const MAX_CELLS = 4_000_000;

/** A line diff (longest common subsequence) of two texts, common head and tail trimmed first. */
export function lineDiff(aText: string, bText: string): DiffLine[] {
  const a = aText.split('\n');
  const b = bText.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const am = a.slice(head, a.length - tail);
  const bm = b.slice(head, b.length - tail);
  const out: DiffLine[] = a.slice(0, head).map((text) => ({ op: 'same', text }));
  const n = am.length;
  const m = bm.length;
  if ((n + 1) * (m + 1) > MAX_CELLS) {
    out.push(...am.map((text): DiffLine => ({ op: 'del', text })), ...bm.map((text): DiffLine => ({ op: 'add', text })));
  } else {
    // lcs[i][j]: LCS length of am[i..] and bm[j..], in one flat array.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = am[i] === bm[j] ? lcs[(i + 1) * w + j + 1] + 1 : Math.max(lcs[(i + 1) * w + j], lcs[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) {
        out.push({ op: 'same', text: am[i] });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])) {
        // Removals before additions, as unified diffs show a replaced line.
        out.push({ op: 'del', text: am[i++] });
      } else {
        out.push({ op: 'add', text: bm[j++] });
      }
    }
  }
  out.push(...a.slice(a.length - tail).map((text): DiffLine => ({ op: 'same', text })));
  return out;
}

export interface FileChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
  bytesA: number | null;
  bytesB: number | null;
}

/** Files (and symlinks) added, removed or changed in content between two rootfs lists; directories are implied. */
export function fileListDiff(a: readonly NewcEntry[], b: readonly NewcEntry[]): { files: FileChange[]; unchanged: number } {
  const keep = (e: NewcEntry) => e.type !== 'dir';
  const before = new Map(a.filter(keep).map((e) => [e.path, e]));
  const after = new Map(b.filter(keep).map((e) => [e.path, e]));
  const files: FileChange[] = [];
  let unchanged = 0;
  for (const [p, x] of before) {
    const y = after.get(p);
    if (!y) files.push({ path: p, change: 'removed', bytesA: x.bytes, bytesB: null });
    else if (x.sha256 !== y.sha256 || x.bytes !== y.bytes || x.mode !== y.mode || x.type !== y.type) files.push({ path: p, change: 'changed', bytesA: x.bytes, bytesB: y.bytes });
    else unchanged++;
  }
  for (const [p, y] of after) if (!before.has(p)) files.push({ path: p, change: 'added', bytesA: null, bytesB: y.bytes });
  files.sort((x, y) => (x.path < y.path ? -1 : x.path > y.path ? 1 : 0));
  return { files, unchanged };
}

/** Bytes under each top-level directory and each directory one level below it ("usr", "usr/lib"). */
export function dirSizes(entries: readonly NewcEntry[]): { path: string; bytes: number }[] {
  const sizes = new Map<string, number>();
  for (const e of entries) {
    if (e.type !== 'file') continue;
    const parts = e.path.split('/');
    // A file at the top level (init) counts as its own "directory" so its bytes still show.
    const top = parts[0];
    sizes.set(top, (sizes.get(top) ?? 0) + e.bytes);
    if (parts.length > 2) {
      const second = `${parts[0]}/${parts[1]}`;
      sizes.set(second, (sizes.get(second) ?? 0) + e.bytes);
    }
  }
  return [...sizes].map(([path, bytes]) => ({ path, bytes })).sort((x, y) => y.bytes - x.bytes || (x.path < y.path ? -1 : 1));
}

const READY = /yoke: ready after ([0-9.]+)s/;

/** Seconds from kernel start to the appliance's init being ready, from a serial console log. */
export function bootSecondsFrom(consoleLog: string): number | null {
  const m = READY.exec(consoleLog);
  return m ? Number(m[1]) : null;
}
