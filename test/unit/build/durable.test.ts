// Issue 15 item 13: cache entries were renamed into place without fsync of the file and its
// folder; after a power cut a "complete" entry could be empty. Proven with the system calls a
// real StageCache.put makes, traced by strace: every file and the folder are fsync'd before
// the rename that publishes them, and the parent folder after it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

it('a cache entry is fsync\'d (files, folder) before its rename, and its parent after', (ctx) => {
  if (spawnSync('strace', ['-V']).status !== 0) return ctx.skip(); // strace: Debian package strace, in scripts/setup.sh
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-durable-'));
  const script = path.join(dir, 'put.ts');
  fs.writeFileSync(
    script,
    `import fs from 'node:fs';\nimport path from 'node:path';\nimport { StageCache } from ${JSON.stringify(path.resolve('src-main/build/cache.ts'))};\n` +
      `const c = new StageCache(${JSON.stringify(path.join(dir, 'home'))});\n` +
      `void c.put('k1', async (tmp) => { fs.writeFileSync(path.join(tmp, 'layer.bin'), 'x'.repeat(5000)); }).then(() => process.stdout.write('ok\\n'));\n`,
  );
  const trace = path.join(dir, 'trace');
  const r = spawnSync('strace', ['-f', '-y', '-qq', '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2', '-o', trace, process.execPath, path.resolve('node_modules/jiti/lib/jiti-cli.mjs'), script], {
    encoding: 'utf8',
    env: { ...process.env, YOKE_NO_FSYNC: '' },
  });
  expect(r.stdout, r.stderr).toContain('ok');
  const lines = fs.readFileSync(trace, 'utf8').split('\n').filter((l) => l.includes('/cache/stages'));
  const rename = lines.findIndex((l) => /rename/.test(l) && /\.tmp-\d+-/.test(l) && /stages\/k1"/.test(l));
  expect(rename, lines.join('\n')).toBeGreaterThan(0);
  const before = lines.slice(0, rename).filter((l) => /fsync|fdatasync/.test(l));
  expect(before.some((l) => /layer\.bin>/.test(l))).toBe(true);
  expect(before.some((l) => /entry\.json>/.test(l))).toBe(true);
  expect(before.some((l) => /\.tmp-\d+-\w+>/.test(l))).toBe(true);
  expect(lines.slice(rename + 1).some((l) => /fsync.*\/cache\/stages>/.test(l))).toBe(true);
  fs.rmSync(dir, { recursive: true, force: true });
});
