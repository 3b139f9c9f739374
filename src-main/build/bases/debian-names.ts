// The package names a Debian release has, from the archive indexes Yoke keeps (cache/debian):
// what lets a misspelled base.packages entry be refused as a spec error, with a did-you-mean,
// before any stage runs. Each kept mirror holds names.txt (one name a line), written beside its
// Packages.xz when the download is kept; older mirrors get theirs the first time they are read.
import fs from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Problem } from '../../api/contract';
import { EngineError } from '../../api/errors';
import { didYouMean } from '../../spec/describe';
import { SpecPositions } from '../../spec/positions';
import type { ApplianceSpec } from '../../spec/types';
import { xzCat } from '../../tools/xz';
import { debianCacheDir, readLock } from './debian-lock';

export const NAMES_FILE = 'names.txt';

/** Kept mirror folders holding indexes of `release` (its main suite and -updates/-security), newest first. */
function mirrorsOf(home: string, release: string): string[] {
  const root = path.join(debianCacheDir(home), 'mirrors');
  let names: string[];
  try {
    names = fs.readdirSync(root).filter((m) => !m.includes('.tmp-'));
  } catch {
    return [];
  }
  const dirs = names.map((m) => path.join(root, m)).filter((d) => releaseIndexes(d, release).length > 0);
  const used = (d: string) => fs.statSync(d).mtimeMs;
  return dirs.sort((a, b) => used(b) - used(a));
}

/** The Packages.xz files of `release` in one mirror folder (origin/dists/<suite>/…/Packages.xz). */
export function releaseIndexes(dir: string, release: string): string[] {
  const ofRelease = new RegExp(`/dists/${release}(-[a-z]+)?/.*Packages\\.xz$`);
  let files: string[];
  try {
    files = fs.readdirSync(dir, { recursive: true }).map((f) => `/${String(f).split(path.sep).join('/')}`);
  } catch {
    return [];
  }
  return files.filter((f) => ofRelease.test(f)).map((f) => path.join(dir, f));
}

/** Package names in Packages texts (a Packages stanza starts with `Package: NAME`). */
export function namesIn(texts: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(/^Package: (\S+)$/gm)) names.add(m[1]);
  return names;
}

/** Written through a temp name: a reader never sees half a list (it would call real packages unknown). */
export function writeNames(dir: string, names: Set<string>): void {
  const tmp = path.join(dir, `.${NAMES_FILE}.tmp-${process.pid}`);
  fs.writeFileSync(tmp, `${[...names].sort().join('\n')}\n`);
  fs.renameSync(tmp, path.join(dir, NAMES_FILE));
}

function readNames(dir: string): Set<string> | null {
  try {
    return new Set(fs.readFileSync(path.join(dir, NAMES_FILE), 'utf8').split('\n').filter(Boolean));
  } catch {
    return null;
  }
}

/** The names the newest kept mirror of `release` lists, without decompressing anything; null when none has a names list. */
export function cachedPackageNames(home: string, release: string): Set<string> | null {
  for (const d of mirrorsOf(home, release)) {
    const n = readNames(d);
    if (n) return n;
  }
  return null;
}

/**
 * Names of `release` matching `query` for a search box: exact match first, then names starting
 * with it, then names containing it, each alphabetical.
 */
export function searchPackageNames(home: string, release: string, query: string, limit = 50): { indexed: boolean; total: number; names: string[] } {
  const known = cachedPackageNames(home, release);
  if (!known) return { indexed: false, total: 0, names: [] };
  const q = query.trim().toLowerCase();
  if (!q) return { indexed: true, total: known.size, names: [] };
  const rank = (n: string) => (n === q ? 0 : n.startsWith(q) ? 1 : 2);
  const hits = [...known].filter((n) => n.includes(q)).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return { indexed: true, total: known.size, names: hits.slice(0, limit) };
}

/** The same, reading (and then listing) a kept mirror's indexes when it has no names list yet. */
export async function knownPackageNames(home: string, release: string, signal?: AbortSignal): Promise<Set<string> | null> {
  const dirs = mirrorsOf(home, release);
  if (!dirs.length) return null;
  const listed = readNames(dirs[0]);
  if (listed) return listed;
  const texts: string[] = [];
  for (const f of releaseIndexes(dirs[0], release)) texts.push(await xzCat(f, { signal }));
  const names = namesIn(texts);
  try {
    writeNames(dirs[0], names);
  } catch {
    // A read-only cache still answers; it is only slower next time.
  }
  return names;
}

/**
 * base.packages entries the release does not have, as spec problems at their line and column,
 * each with the nearest name the index lists. Empty when every name is known, when the lock
 * already pins this exact list (it names real packages), or when no index is kept yet (then
 * the package stage reads apt's own refusal).
 */
export function unknownPackageProblems(home: string, spec: ApplianceSpec, refresh = false): Problem[] {
  if (spec.base.userland !== 'debian') return [];
  const wanted = [...spec.base.packages].sort();
  const lock = refresh ? null : safeLock(path.join(spec.dir, 'appliance.lock'));
  if (lock && lock.release === spec.base.release && lock.requested.join(',') === wanted.join(',')) return [];
  const known = cachedPackageNames(home, spec.base.release);
  if (!known) return [];
  const bad = spec.base.packages.map((name, i) => ({ name, i })).filter((p) => !known.has(p.name.replace(/[=:].*$/, '')));
  if (!bad.length) return [];
  const file = path.join(spec.dir, 'appliance.yaml');
  const at = locator(file);
  const all = [...known];
  return bad.map(({ name, i }) => ({ file, ...at(['base', 'packages', i]), path: `base.packages.${i}`, message: unknownPackageMessage(spec.base.release, name, all) }));
}

export function unknownPackageMessage(release: string, name: string, known: readonly string[]): string {
  const near = didYouMean(name, known);
  return `base.packages names "${name}", which Debian ${release} does not have${near ? ` (did you mean "${near}"?)` : ''}. Fix the name in base.packages.`;
}

/** Refuses a build whose base.packages names a package the release lacks: a spec error (exit 2), before any stage runs. */
export function requireKnownPackages(home: string, spec: ApplianceSpec, refresh = false): void {
  const problems = unknownPackageProblems(home, spec, refresh);
  if (problems.length) throw new EngineError('spec', problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}`).join('\n'), { problems });
}

function safeLock(file: string) {
  try {
    return readLock(file);
  } catch {
    return null;
  }
}

function locator(file: string): (p: (string | number)[]) => { line: number; col: number } {
  try {
    const lines = new LineCounter();
    const doc = parseDocument(fs.readFileSync(file, 'utf8'), { lineCounter: lines });
    const pos = new SpecPositions(doc, lines);
    return (p) => pos.locate(p);
  } catch {
    return () => ({ line: 1, col: 1 });
  }
}
