// dpkg (essential on Debian): Debian's own version ordering (epochs, ~, +deb12u1), which says
// whether a package changed between two builds was upgraded or downgraded. Asked of dpkg rather
// than re-implemented: its rules are subtle and dpkg is on every Debian host.
import { runTool } from './run';

export function dpkgCompareArgs(a: string, op: 'gt' | 'lt' | 'eq', b: string): string[] {
  return ['--compare-versions', a, op, b];
}

/** True when version `a` is newer than `b` by Debian's rules. */
export async function debianVersionNewer(a: string, b: string, o: { signal?: AbortSignal } = {}): Promise<boolean> {
  const r = await runTool({ tool: 'dpkg', aptPackage: 'dpkg', argv: dpkgCompareArgs(a, 'gt', b), okExitCodes: [0, 1], signal: o.signal, timeoutMs: 10_000 });
  return r.exitCode === 0;
}
