// What a failed package install means, in words: a package name Debian does not have (with the
// nearest name from the archive's index), or a lock the cache cannot satisfy with no network.
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../../api/errors';
import type { ToolFailedError } from '../../tools/run';
import type { LockedPackage } from './debian-lock';
import { debianCacheDir } from './debian-mirror';
import { unknownPackageMessage } from './debian-names';

/** `file:line: ` of the package's name in appliance.yaml, when it can be found. */
function where(specFile: string, name: string): string {
  try {
    const lines = fs.readFileSync(specFile, 'utf8').split('\n');
    const i = lines.findIndex((l) => new RegExp(`(^|[\\s\\[,-])${name.replace(/[.+]/g, '\\$&')}([\\s\\],]|$)`).test(l));
    return i >= 0 ? `${specFile}:${i + 1}: ` : `${specFile}: `;
  } catch {
    return `${specFile}: `;
  }
}

export function unknownPackageError(specFile: string, release: string, name: string, known: Iterable<string>): EngineError {
  return new EngineError('spec', `${where(specFile, name)}${unknownPackageMessage(release, name, [...known])}`);
}

const CUT = /Method \S+ has died unexpectedly|Connection (reset|closed)[^\n]*|Undetermined Error|Error reading from server[^\n]*/;
const OFFLINE = /Temporary failure resolving|Could not resolve|Failed to fetch|Network is unreachable|Unable to connect|Could not connect/i;

export function explainInstallFailure(
  e: ToolFailedError,
  c: { release: string; packages: string[]; spec: string; home: string; missing: LockedPackage[]; known?: Iterable<string> },
): Error {
  const text = e.output;
  const unknown = /Unable to locate package (\S+)|Package '?([^' ]+)'? has no installation candidate/.exec(text);
  if (unknown) {
    const name = (unknown[1] ?? unknown[2]).replace(/=.*$/, '');
    return unknownPackageError(c.spec, c.release, name, c.known ?? []);
  }
  // apt's download process ended mid-file (a dropped connection, a killed method): nothing was kept.
  if (CUT.test(text)) {
    return new Error(
      `The download from Debian's archive was cut off while installing ${c.packages.join(', ')} (${CUT.exec(text)![0]}). Nothing half-downloaded was kept in Yoke's cache; build again once the network is steady.`,
    );
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
  // Not one of the failures above: the tool's own last words, without its long command line.
  return new Error(`mmdebstrap could not install ${c.packages.join(', ')} (Debian ${c.release}):\n${e.stderrTail}`);
}
