// Helpers for spec tests: committed fixtures, and throwaway appliance folders in a tmp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

export const FIXTURES = path.resolve(__dirname, '../../fixtures/specs');
export const fixture = (name: string): string => path.join(FIXTURES, name);

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A fresh folder (removed after the test) holding appliance.yaml = `spec` (if given) and `files`. */
export function tmpAppliance(spec?: string | Buffer, files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-spec-'));
  made.push(dir);
  const app = path.join(dir, 'app');
  fs.mkdirSync(app);
  if (spec !== undefined) fs.writeFileSync(path.join(app, 'appliance.yaml'), spec);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(app, rel)), { recursive: true });
    fs.writeFileSync(path.join(app, rel), content);
  }
  return app;
}
