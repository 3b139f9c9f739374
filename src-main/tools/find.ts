// find (apt package `findutils`, in every Debian): lists an unpacked tree with the type, mode and
// size each entry has under fakeroot (a device node fsck.erofs made without root is a plain file
// on disk; only a program run under the same fakeroot state sees what it stands for).
import { underFakeroot } from './fakeroot';

export type FoundType = 'file' | 'dir' | 'symlink' | 'other';

export interface FoundEntry {
  /** Relative to the listed folder, no leading "./". */
  path: string;
  type: FoundType;
  /** Permission bits with setuid/setgid/sticky (mode & 0o7777). */
  mode: number;
  bytes: number;
}

/** One NUL-ended record per entry below `dir`: type letter, octal mode, size, path (last, so any character but NUL is safe in it). */
export function findListArgs(dir: string): string[] {
  return [dir, '-mindepth', '1', '-printf', '%y %m %s %P\\0'];
}

const TYPES: Record<string, FoundType> = { f: 'file', d: 'dir', l: 'symlink' };

export function parseFindList(out: string): FoundEntry[] {
  const entries: FoundEntry[] = [];
  for (const rec of out.split('\0')) {
    if (!rec) continue;
    const m = /^(\S) ([0-7]+) (\d+) ([^]*)$/.exec(rec);
    if (!m) throw new Error(`find printed an unexpected line: ${JSON.stringify(rec.slice(0, 200))}`);
    const type = TYPES[m[1]] ?? 'other';
    entries.push({ path: m[4], type, mode: parseInt(m[2], 8), bytes: type === 'file' ? Number(m[3]) : 0 });
  }
  return entries;
}

/** Every entry below `dir`, as seen under the fakeroot state `state` (run directly as root). */
export async function findList(dir: string, state: string, o: { signal?: AbortSignal } = {}): Promise<FoundEntry[]> {
  const r = await underFakeroot(state, { tool: 'find', aptPackage: 'findutils', argv: findListArgs(dir), signal: o.signal, timeoutMs: 120_000 });
  return parseFindList(r.stdout);
}
