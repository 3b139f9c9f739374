// appliance.lock: what the first build that resolved base.packages installed — the release's
// index files and every package's version and sha256 — so later builds install exactly that.
// It lives beside appliance.yaml and travels with the folder; only `yoke build --refresh` changes it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { hashFileSync } from '../hash';

/** Yoke's kept Debian packages and indexes (cache/debian): debs/ by sha256, mirrors/ per lock. */
export function debianCacheDir(home: string): string {
  return path.join(home, 'cache', 'debian');
}

export interface LockedPackage {
  name: string;
  version: string;
  arch: string;
  sha256: string;
}

export interface DebianLock {
  release: string;
  /** base.packages as the spec said it, sorted: a different list resolves again. */
  requested: string[];
  /** The archive's index files apt used (InRelease and Packages), by name and sha256. */
  indexes: { name: string; sha256: string }[];
  packages: LockedPackage[];
  /** Hash of all of the above (not stored): the package stage's cache key. */
  digest: string;
}

const HEAD = '# appliance.lock — written by Yoke. Commit it with appliance.yaml; change it with `yoke build --refresh`.\n';

function digestOf(l: Omit<DebianLock, 'digest'>): string {
  return crypto.createHash('sha256').update(JSON.stringify({ release: l.release, requested: l.requested, indexes: l.indexes, packages: l.packages })).digest('hex');
}

/** name_version_arch.deb, with the version's epoch colon escaped as %3a (apt's file names). */
export function parseDebName(file: string): Omit<LockedPackage, 'sha256'> | null {
  const m = /^([^_]+)_([^_]+)_([^_]+)\.deb$/.exec(file);
  return m ? { name: m[1], version: decodeURIComponent(m[2]), arch: m[3] } : null;
}

export function lockFromDownload(release: string, requested: string[], debsDir: string, listsDir: string): DebianLock {
  const packages: LockedPackage[] = [];
  for (const f of fs.readdirSync(debsDir).sort()) {
    const p = parseDebName(f);
    if (p) packages.push({ ...p, sha256: hashFileSync(path.join(debsDir, f)) });
  }
  packages.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const indexes = fs
    .readdirSync(listsDir)
    .filter((f) => /_(InRelease|Packages(\.xz)?)$/.test(f))
    .sort()
    .map((name) => ({ name, sha256: hashFileSync(path.join(listsDir, name)) }));
  const l = { release, requested: [...requested].sort(), indexes, packages };
  return { ...l, digest: digestOf(l) };
}

/** A YAML-readable text file, one package a line, so a diff of two locks reads like a changelog. */
export function formatLock(l: DebianLock): string {
  const out = [HEAD, `release: ${l.release}`, `requested: [${l.requested.join(', ')}]`, 'indexes:'];
  for (const i of l.indexes) out.push(`  - { name: ${i.name}, sha256: ${i.sha256} }`);
  out.push('packages:');
  for (const p of l.packages) out.push(`  - { name: ${p.name}, version: "${p.version}", arch: ${p.arch}, sha256: ${p.sha256} }`);
  return `${out.join('\n')}\n`;
}

export function parseLock(text: string, file: string): DebianLock {
  const line = (k: string) => new RegExp(`^${k}: (.*)$`, 'm').exec(text)?.[1];
  const release = line('release');
  const requested = /^\[(.*)\]$/.exec(line('requested') ?? '')?.[1];
  if (!release || requested === undefined) throw new Error(`${file} is not an appliance.lock Yoke can read. Delete it and build again (or run yoke build --refresh).`);
  const indexes = [...text.matchAll(/^ {2}- \{ name: (\S+), sha256: ([0-9a-f]{64}) \}$/gm)].map((m) => ({ name: m[1], sha256: m[2] }));
  const packages = [...text.matchAll(/^ {2}- \{ name: (\S+), version: "([^"]+)", arch: (\S+), sha256: ([0-9a-f]{64}) \}$/gm)].map((m) => ({ name: m[1], version: m[2], arch: m[3], sha256: m[4] }));
  const l = { release, requested: requested.split(',').map((s) => s.trim()).filter(Boolean), indexes, packages };
  return { ...l, digest: digestOf(l) };
}

export function readLock(file: string): DebianLock | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return parseLock(text, file);
}

/** Written whole through a temp file and a rename: never half a lock. */
export function writeLock(file: string, l: DebianLock): void {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, formatLock(l));
  fs.renameSync(tmp, file);
}
