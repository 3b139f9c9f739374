// "What a refresh would change": the versions Debian's archive offers today for the packages an
// appliance.lock pins, fetched into a private folder (apt-get update, signatures checked), without
// building or touching the lock. Only `yoke build --refresh` resolves again — and may then also
// pull in new dependencies, which only a full resolve can know (said in the answer).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EngineError } from '../../api/errors';
import { packageDiff, type PackageChange } from './debian-diff';
import { aptGetPrivateUpdate, DEBIAN_KEYRING } from '../../tools/apt';
import { debianVersionNewer } from '../../tools/dpkg';
import { debianSources, sourcesLine } from '../../tools/mmdebstrap';
import { ToolFailedError } from '../../tools/run';
import { readLock } from './debian-lock';

export interface RefreshPreview {
  release: string;
  /** Locked packages whose archive version differs (upgraded/downgraded) or that the archive no longer has (removed). */
  changes: PackageChange[];
  unchanged: number;
  locked: number;
}

/** Highest version of each package name over Packages texts (the release and its -updates/-security). */
export async function newestVersions(texts: string[], newer: (a: string, b: string) => Promise<boolean>, wanted?: Set<string>): Promise<Map<string, string>> {
  const best = new Map<string, string>();
  for (const t of texts) {
    for (const stanza of t.split('\n\n')) {
      const name = /^Package: (\S+)$/m.exec(stanza)?.[1];
      const version = /^Version: (\S+)$/m.exec(stanza)?.[1];
      if (!name || !version || (wanted && !wanted.has(name))) continue;
      const had = best.get(name);
      if (had === undefined || (had !== version && (await newer(version, had)))) best.set(name, version);
    }
  }
  return best;
}

export async function refreshPreview(dir: string, o: { signal?: AbortSignal } = {}): Promise<RefreshPreview> {
  const lockFile = path.join(dir, 'appliance.lock');
  const lock = readLock(lockFile);
  if (!lock) throw new EngineError('not-found', `${lockFile} does not exist yet: the first build writes it. Build the appliance first.`);
  if (!fs.existsSync(DEBIAN_KEYRING)) throw new EngineError('failed', `Debian's archive keys (${DEBIAN_KEYRING}) are not installed here. Install them with: sudo apt-get install debian-archive-keyring`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-refresh-'));
  try {
    for (const d of ['state/lists/partial', 'cache/archives/partial', 'none']) fs.mkdirSync(path.join(tmp, d), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'status'), '');
    const signed = debianSources(lock.release).map((s) => sourcesLine(s).replace(/^deb /, `deb [signed-by=${DEBIAN_KEYRING}] `));
    fs.writeFileSync(path.join(tmp, 'sources.list'), `${signed.join('\n')}\n`);
    try {
      await aptGetPrivateUpdate(tmp, { signal: o.signal });
    } catch (e) {
      if (e instanceof ToolFailedError) throw new EngineError('failed', `Debian's archive could not be read to see what a refresh would change (apt-get update: ${e.stderrTail.split('\n').slice(-2).join(' ')}). Connect this machine to the network and try again.`);
      throw e;
    }
    const lists = path.join(tmp, 'state', 'lists');
    const texts = fs.readdirSync(lists).filter((f) => f.endsWith('_Packages')).map((f) => fs.readFileSync(path.join(lists, f), 'utf8'));
    if (!texts.length) throw new EngineError('failed', `apt-get update fetched no package index for Debian ${lock.release}.`);
    const newer = (a: string, b: string) => debianVersionNewer(a, b, { signal: o.signal });
    const archive = await newestVersions(texts, newer, new Set(lock.packages.map((p) => p.name)));
    const now = lock.packages.filter((p) => archive.has(p.name)).map((p) => ({ name: p.name, version: archive.get(p.name)! }));
    const d = await packageDiff(lock.packages, now, newer);
    return { release: lock.release, changes: d.changes, unchanged: d.unchanged, locked: lock.packages.length };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
