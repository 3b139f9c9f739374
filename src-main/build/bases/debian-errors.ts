// What a failed package install means, in words: a package name Debian does not have (with the
// nearest name from the archive's index), or a lock the cache cannot satisfy with no network.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../../api/errors';
import { didYouMean } from '../../spec/describe';
import type { ToolFailedError } from '../../tools/run';
import type { LockedPackage } from './debian-lock';
import { debianCacheDir } from './debian-mirror';

/** Package names from the newest uncompressed index apt keeps on this machine or a kept mirror's Packages.xz is not read (cheap path). */
function knownNames(home: string): string[] {
  const dirs = ['/var/lib/apt/lists'];
  const names = new Set<string>();
  for (const d of dirs) {
    let files: string[] = [];
    try {
      files = fs.readdirSync(d).filter((f) => /_binary-[a-z0-9]+_Packages$/.test(f));
    } catch {
      continue;
    }
    for (const f of files) {
      for (const m of fs.readFileSync(path.join(d, f), 'utf8').matchAll(/^Package: (\S+)$/gm)) names.add(m[1]);
    }
  }
  void home;
  return [...names];
}

const OFFLINE = /Temporary failure resolving|Could not resolve|Failed to fetch|Network is unreachable|Unable to connect|Could not connect/i;

export function explainInstallFailure(
  e: ToolFailedError,
  c: { release: string; packages: string[]; spec: string; home: string; missing: LockedPackage[] },
): Error {
  const text = e.stderrTail;
  const unknown = /Unable to locate package (\S+)|Package '?([^' ]+)'? has no installation candidate/.exec(text);
  if (unknown) {
    const name = (unknown[1] ?? unknown[2]).replace(/=.*$/, '');
    const near = didYouMean(name, knownNames(c.home));
    return new EngineError('spec', `${c.spec}: base.packages names "${name}", which Debian ${c.release} does not have${near ? ` (did you mean "${near}"?)` : ''}. Fix the name in base.packages.`);
  }
  if (OFFLINE.test(text)) {
    if (c.missing.length) {
      const list = c.missing.slice(0, 6).map((p) => `${p.name} ${p.version}`).join(', ');
      return new Error(
        `appliance.lock names ${c.missing.length} package${c.missing.length === 1 ? '' : 's'} that Yoke's cache (${debianCacheDir(c.home)}) does not hold (${list}${c.missing.length > 6 ? ', …' : ''}), and Debian's archive could not be reached. Connect this machine to the network and build again (the packages are then kept for offline builds).`,
      );
    }
    return new Error(`Debian's archive could not be reached to install ${c.packages.join(', ')}. Connect this machine to the network and build again; once built, the packages are kept and later builds need no network.`);
  }
  return e;
}
