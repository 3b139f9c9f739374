import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureKernel } from '../../../src-main/build/kernel';

/**
 * Fetching Debian's kernel costs a download; tests share one fetched copy (outside any test's
 * data directory) and link it into their own fresh home, which stays otherwise empty.
 */
const SHARED = path.join(os.tmpdir(), 'yoke-test-kernel-home');

export async function sharedKernelHome(): Promise<string> {
  fs.mkdirSync(SHARED, { recursive: true });
  await ensureKernel(SHARED, { host: { bootDir: '/nonexistent', modulesRoot: '/nonexistent' } });
  return SHARED;
}

const made: string[] = [];

/** Disk images add up: every test file removes the homes it made. */
export function removeTestHomes(): void {
  for (const h of made.splice(0)) fs.rmSync(h, { recursive: true, force: true });
}

export async function makeTestHome(prefix = 'yoke-build-'): Promise<string> {
  const shared = await sharedKernelHome();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(home);
  fs.mkdirSync(path.join(home, 'cache'), { recursive: true });
  fs.symlinkSync(path.join(shared, 'cache', 'kernels'), path.join(home, 'cache', 'kernels'));
  return home;
}
