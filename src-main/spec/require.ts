import path from 'node:path';
import { loadSpec, formatProblem } from './load';
import type { ApplianceSpec } from './types';
import { EngineError } from '../api/errors';

/** Loads an appliance for work that needs a valid spec; every problem is reported at once. */
export function requireSpec(dir: string): ApplianceSpec {
  const r = loadSpec(path.resolve(dir));
  if (!r.spec || r.problems.length) {
    const lines = r.problems.map((p) => formatProblem(p));
    throw new EngineError('spec', lines.join('\n') || `${r.specFile}: not a valid appliance`, { problems: r.problems });
  }
  return r.spec;
}
