import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';

export function tmpHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-store-'));
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}
