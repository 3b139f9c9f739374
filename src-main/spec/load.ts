// The one entry point for reading an appliance: loadSpec never throws for bad input; it
// returns every problem it found, each pointing at a line and column of appliance.yaml.
import fs from 'node:fs';
import path from 'node:path';
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { ApplianceSummary, Problem } from '../api/contract';
import type { Finding } from './finding';
import { issuesToFindings, valueAt } from './issues';
import { normalizeSpec } from './normalize';
import { SpecPositions } from './positions';
import { readSpecText, SPEC_FILE } from './read';
import { ApplianceSchema } from './schema';
import { semanticFindings } from './semantic';
import { formatSize } from './size';
import type { ApplianceSpec } from './types';
import { elidePath } from './describe';

export interface LoadResult {
  dir: string;
  specFile: string;
  spec?: ApplianceSpec;
  problems: Problem[];
  /** the parsed YAML as plain data when it parsed, valid or not (lets a UI show the name of a broken spec) */
  raw?: unknown;
}

export function loadSpec(dir: string): LoadResult {
  const absDir = appliancesFolder(dir);
  const specFile = path.join(absDir, SPEC_FILE);
  const problem = (line: number, col: number, message: string, p?: string): Problem => ({ file: specFile, line, col, message, ...(p ? { path: p } : {}) });
  try {
    const read = readSpecText(absDir);
    if (!read.ok) return { dir: absDir, specFile, problems: [problem(read.line, read.col, read.message)] };

    const lines = new LineCounter();
    // yaml's own uniqueKeys check is quadratic (a 1 MiB file of keys takes minutes); ours is linear.
    const doc = parseDocument(read.text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false });
    const yamlErrors = [...doc.errors, ...doc.warnings].map((e) => ({ offset: e.pos[0], message: `YAML syntax error: ${e.message.split('\n')[0]}` }));
    if (!doc.errors.length) for (const d of duplicateKeys(doc)) yamlErrors.push(d);
    if (yamlErrors.length) {
      const problems = yamlErrors.map((e) => {
        const at = lines.linePos(e.offset);
        return problem(at.line, at.col, e.message);
      });
      return { dir: absDir, specFile, problems: sortProblems(problems) };
    }
    if (doc.contents === null) {
      return { dir: absDir, specFile, problems: [problem(1, 1, `${SPEC_FILE} is empty; expected a mapping with at least name: and version:`)] };
    }
    let raw: unknown;
    try {
      raw = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      return { dir: absDir, specFile, problems: [problem(1, 1, `cannot expand YAML aliases: ${(e as Error).message}`)] };
    }

    const positions = new SpecPositions(doc, lines);
    const parsed = ApplianceSchema.safeParse(raw);
    const findings: Finding[] = [
      ...(parsed.success ? [] : issuesToFindings(parsed.error.issues, raw, ApplianceSchema)),
      ...semanticFindings(raw, absDir, (p) => positions.line(p)),
    ];
    const problems = sortProblems(
      findings.map((f) => {
        const at = positions.locate(f.path, f.at);
        return problem(at.line, at.col, asWritten(f, raw, positions), f.path.join('.'));
      }),
    );
    if (problems.length || !parsed.success) return { dir: absDir, specFile, problems, raw };
    const spec = normalizeSpec(parsed.data, absDir, (i) => positions.line(['checks', i]));
    return { dir: absDir, specFile, spec, problems, raw };
  } catch (e) {
    // A bug in the loader must still reach the user as a problem, not as a stack trace.
    return { dir: absDir, specFile, problems: [problem(1, 1, `internal error while reading the spec: ${(e as Error).message}`)] };
  }
}

function duplicateKeys(doc: Document): { offset: number; message: string }[] {
  const found: { offset: number; message: string }[] = [];
  visit(doc, {
    Map(_, map) {
      const seen = new Set<string>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (seen.has(key)) found.push({ offset: pair.key.range?.[0] ?? 0, message: `key '${key}' is written twice in the same mapping; keys must be unique` });
        seen.add(key);
      }
    },
  });
  return found;
}

/** YAML reads `1.0` as the number 1; a message should quote what the person wrote. */
function asWritten(f: Finding, raw: unknown, positions: SpecPositions): string {
  const v = valueAt(raw, f.path);
  if (typeof v !== 'number' || f.at === 'key') return f.message;
  const src = positions.sourceText(f.path);
  return src && src !== String(v) ? f.message.replace(`the number ${v}`, `the number ${src}`) : f.message;
}

/** A path to appliance.yaml itself is taken to mean its folder. */
function appliancesFolder(dir: string): string {
  const abs = path.resolve(dir);
  if (path.basename(abs) === SPEC_FILE) {
    try {
      if (fs.statSync(abs).isFile()) return path.dirname(abs);
    } catch {
      /* not there: report it against the folder as given */
    }
  }
  return abs;
}

/** Beyond this, more lines of output help nobody: it is the wrong file, or one mistake repeated. */
export const MAX_PROBLEMS = 200;

function sortProblems(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  const sorted = ps
    .filter((p) => {
      const k = `${p.line}:${p.col}:${p.message}`;
      return seen.has(k) ? false : (seen.add(k), true);
    })
    .sort((a, b) => a.line - b.line || a.col - b.col);
  if (sorted.length <= MAX_PROBLEMS) return sorted;
  const last = sorted[MAX_PROBLEMS - 1];
  return [...sorted.slice(0, MAX_PROBLEMS), { ...last, message: `${sorted.length - MAX_PROBLEMS} more problems not shown; fix the ones above first` }];
}

/** "PATH/appliance.yaml:LINE:COL: message"; PATH is made relative to `relativeTo` when inside it. */
export function formatProblem(p: Problem, relativeTo?: string): string {
  let file = p.file;
  if (relativeTo) {
    const rel = path.relative(relativeTo, p.file);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) file = rel;
  }
  // A 30 KB folder path once made a 30 KB line; the start and end of it say enough.
  return `${elidePath(file, 300)}:${p.line}:${p.col}: ${p.message}`;
}

/** How many packages the folder's appliance.lock pins (its `  - { name: …` lines), null without one. */
function lockedCount(dir: string): number | null {
  try {
    return (fs.readFileSync(path.join(dir, 'appliance.lock'), 'utf8').match(/^ {2}- \{ name: \S+, version: /gm) ?? []).length;
  } catch {
    return null;
  }
}

export function summarizeSpec(r: LoadResult): ApplianceSummary {
  const s = r.spec;
  const raw = (r.raw && typeof r.raw === 'object' ? r.raw : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const name = s?.name ?? str(raw.name);
  const version = s?.version ?? str(raw.version);
  const description = s?.description ?? str(raw.description);
  return {
    dir: r.dir,
    specFile: r.specFile,
    valid: !!s && r.problems.length === 0,
    problems: r.problems,
    ...(name !== undefined ? { name } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(description !== undefined ? { description } : {}),
    services: s?.services ?? [],
    checks: s?.checks.length ?? 0,
    outputs: s?.outputs ?? [],
    forwards: s?.network.forward ?? [],
    ...(s ? { memory: formatSize(s.vm.memoryBytes) } : {}),
    disks: s ? { os: formatSize(s.disks.os.sizeBytes), ...(s.disks.data ? { data: formatSize(s.disks.data.sizeBytes) } : {}) } : {},
    ...(s?.base.userland === 'debian' ? { debian: { release: s.base.release, packages: s.base.packages, state: s.base.state, locked: lockedCount(r.dir) } } : {}),
  };
}
