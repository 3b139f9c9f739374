import { test } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { loadSpec, formatProblem } from '../../../src-main/spec/load';
test('x', () => {
  const root = path.resolve(__dirname, '../../fixtures/specs');
  for (const d of fs.readdirSync(root).sort()) {
    const r = loadSpec(path.join(root, d));
    console.log(`== ${d} valid=${!!r.spec}`);
    for (const p of r.problems) console.log(formatProblem(p, root) + `   [${p.path ?? ''}]`);
  }
});
