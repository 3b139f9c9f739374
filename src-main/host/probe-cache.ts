import fs from 'node:fs';
import path from 'node:path';
import type { DoctorReport } from '../api/contract';

export type AccelReport = DoctorReport['accel'];

/** A KVM probe boots a kernel; its answer holds while qemu and the host kernel stay the same. */
export const PROBE_TTL_MS = 24 * 60 * 60 * 1000;

export interface ProbeKey {
  qemu: string;
  hostKernel: string;
}

interface CacheFile {
  key: ProbeKey;
  at: number;
  accel: AccelReport;
}

export function probeCacheFile(home: string): string {
  return path.join(home, 'host-probe.json');
}

export function isFresh(entry: { key: ProbeKey; at: number }, key: ProbeKey, now: number, ttl = PROBE_TTL_MS): boolean {
  return entry.key.qemu === key.qemu && entry.key.hostKernel === key.hostKernel && now - entry.at >= 0 && now - entry.at < ttl;
}

/** The cached answer for this key, or null when there is none, it is stale, or the file is damaged. */
export function readProbeCache(home: string, key: ProbeKey, now = Date.now()): AccelReport | null {
  try {
    const entry = JSON.parse(fs.readFileSync(probeCacheFile(home), 'utf8')) as CacheFile;
    if (!entry?.key || typeof entry.at !== 'number' || !entry.accel) return null;
    return isFresh(entry, key, now) ? entry.accel : null;
  } catch {
    return null;
  }
}

/** Written to a temp file and renamed, so a reader never sees half a file. */
export function writeProbeCache(home: string, key: ProbeKey, accel: AccelReport, now = Date.now()): void {
  fs.mkdirSync(home, { recursive: true });
  const file = probeCacheFile(home);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify({ key, at: now, accel } satisfies CacheFile, null, 2)}\n`);
  fs.renameSync(tmp, file);
}
