import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
const OUTPUTS = ['out/main/cli.js', 'out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html'];
const SOURCES = ['src-main', 'src-preload', 'src-renderer'];

function newestSource(): number {
  let newest = 0;
  for (const dir of SOURCES) {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (e.isFile()) newest = Math.max(newest, fs.statSync(path.join(e.parentPath, e.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * Tests that run the CLI or the browser UI drive the built app (out/). `npm test` builds first;
 * a direct `npx vitest` / `npx playwright test` rebuilds here when out/ is missing or stale.
 */
export function ensureBuilt(): void {
  const oldest = Math.min(...OUTPUTS.map((f) => (fs.existsSync(path.join(ROOT, f)) ? fs.statSync(path.join(ROOT, f)).mtimeMs : 0)));
  if (oldest > newestSource()) return;
  process.stderr.write('building the app (electron-vite build)…\n');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, stdio: 'inherit' });
}
