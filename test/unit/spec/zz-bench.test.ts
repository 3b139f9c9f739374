import { test } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSpec } from '../../../src-main/spec/load';
test('bench', () => {
  const dir = path.resolve(__dirname, '../../../resources/sample/hello-web');
  let t = performance.now(); loadSpec(dir); console.log('first', (performance.now() - t).toFixed(2));
  for (let i = 0; i < 300; i++) loadSpec(dir);
  t = performance.now(); for (let i = 0; i < 300; i++) loadSpec(dir); console.log('warm avg', ((performance.now() - t) / 300).toFixed(2));
  const big = fs.mkdtempSync(path.join(os.tmpdir(), 'yb-'));
  const cases: [string, string][] = [
    ['dups', 'a: b\n'.repeat(200000)],
    ['uniq', Array.from({ length: 60000 }, (_, i) => `k${i}: v\n`).join('')],
    ['flow', '{' + Array.from({ length: 60000 }, (_, i) => `k${i}: v`).join(', ') + '}\n'],
    ['deep', '['.repeat(500000) + '\n'],
    ['aliases', 'a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n'],
  ];
  const only = process.env.CASE;
  for (const [label, text] of cases) {
    if (only && label !== only) continue;
    fs.writeFileSync(path.join(big, 'appliance.yaml'), text);
    t = performance.now(); const r = loadSpec(big); console.log(label, text.length, (performance.now() - t).toFixed(0), 'ms', r.problems.length, r.problems[0]?.message.slice(0, 120));
  }
  fs.rmSync(big, { recursive: true });
});
