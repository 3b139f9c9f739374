// Package differences between two sets of Debian packages (two builds' locks, or a lock and
// what the archive offers today), as builder-web lists them.
export interface PackageChange {
  name: string;
  change: 'added' | 'removed' | 'upgraded' | 'downgraded';
  versionA: string | null;
  versionB: string | null;
}

/**
 * Package differences between two Debian builds' locks (as builder-web lists them): added,
 * removed, and changed versions, ordered by `newer` (Debian's version rules). By name.
 */
export async function packageDiff(
  a: { name: string; version: string }[],
  b: { name: string; version: string }[],
  newer: (x: string, y: string) => Promise<boolean>,
): Promise<{ changes: PackageChange[]; unchanged: number }> {
  const inA = new Map(a.map((p) => [p.name, p.version]));
  const inB = new Map(b.map((p) => [p.name, p.version]));
  const changes: PackageChange[] = [];
  let unchanged = 0;
  for (const name of [...new Set([...inA.keys(), ...inB.keys()])].sort()) {
    const va = inA.get(name) ?? null;
    const vb = inB.get(name) ?? null;
    if (va === vb) unchanged++;
    else if (va === null) changes.push({ name, change: 'added', versionA: null, versionB: vb });
    else if (vb === null) changes.push({ name, change: 'removed', versionA: va, versionB: null });
    else changes.push({ name, change: (await newer(vb, va)) ? 'upgraded' : 'downgraded', versionA: va, versionB: vb });
  }
  return { changes, unchanged };
}
