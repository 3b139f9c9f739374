import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureKernel, type KernelInfo } from '../../../src-main/build/kernel';

// The same shared, fetched-once kernel the build tests use (a download per test would be slow).
const SHARED = path.join(os.tmpdir(), 'yoke-test-kernel-home');

export async function sharedKernel(): Promise<KernelInfo> {
  fs.mkdirSync(SHARED, { recursive: true });
  return ensureKernel(SHARED, { host: { bootDir: '/nonexistent', modulesRoot: '/nonexistent' } });
}

export function tmpHome(prefix = 'yoke-host-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** qemu processes still running our probe (there must be none once a probe has answered). */
export function probeProcesses(): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('yoke-accel-probe') && cmd.includes('qemu')) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
