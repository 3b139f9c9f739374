// Turns zod issues into findings with messages a person can act on: unknown keys get a
// did-you-mean, missing keys name themselves, union failures report the branch that matches
// the type actually written.
import type { z } from 'zod';
import { didYouMean } from './describe';
import type { Finding } from './finding';
import type { SpecPath } from './positions';

type Issue = z.core.$ZodIssue;
interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
  element?: { _zod: { def: Def } };
  options?: { _zod: { def: Def } }[];
  valueType?: { _zod: { def: Def } };
  in?: { _zod: { def: Def } };
}

export function issuesToFindings(issues: readonly Issue[], data: unknown, schema: z.ZodType, base: SpecPath = []): Finding[] {
  const out: Finding[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as (string | number)[])];
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(schema, path) ?? [];
      // a file of thousands of stray keys is the wrong file: past a few hundred, more is noise
      for (const key of issue.keys.slice(0, 500)) {
        const near = didYouMean(key, known);
        const hint = near ? ` (did you mean '${near}'?)` : known.length ? `; expected one of: ${known.join(', ')}` : '';
        out.push({ path: [...path, key], at: 'key', message: `unknown key '${key}'${hint}` });
      }
    } else if (issue.code === 'invalid_union') {
      const branch = issue.errors.find((errs) => !errs.some(isRootMismatch));
      if (branch) out.push(...issuesToFindings(branch, data, schema, path));
      else out.push({ path, message: issue.message });
    } else if (issue.code === 'invalid_key') {
      out.push({ path, at: 'key', message: issue.issues[0]?.message ?? issue.message });
    } else if (issue.code === 'invalid_type' && valueAt(data, path) === undefined && path.length > 0) {
      const key = path[path.length - 1];
      out.push({ path, message: `missing required key '${String(key)}': ${issue.message.replace(/, found nothing$/, '')}` });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

function isRootMismatch(i: Issue): boolean {
  return i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value');
}

export function valueAt(data: unknown, path: SpecPath): unknown {
  let cur = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur;
}

/** The keys the object schema at `path` accepts, for did-you-mean. */
function knownKeys(schema: z.ZodType, path: SpecPath): string[] | undefined {
  return keysOf((schema as unknown as { _zod: { def: Def } })._zod.def, path);
}

function keysOf(def: Def, path: SpecPath): string[] | undefined {
  switch (def.type) {
    case 'optional':
    case 'default':
    case 'nullable':
      return keysOf(def.innerType!._zod.def, path);
    case 'pipe':
      return keysOf(def.in!._zod.def, path);
    case 'union':
      for (const o of def.options ?? []) {
        const k = keysOf(o._zod.def, path);
        if (k) return k;
      }
      return undefined;
    case 'object':
      if (path.length === 0) return Object.keys(def.shape ?? {});
      return def.shape?.[String(path[0])] ? keysOf(def.shape[String(path[0])]._zod.def, path.slice(1)) : undefined;
    case 'array':
      return path.length ? keysOf(def.element!._zod.def, path.slice(1)) : undefined;
    case 'record':
      return path.length ? keysOf(def.valueType!._zod.def, path.slice(1)) : undefined;
    default:
      return undefined;
  }
}
