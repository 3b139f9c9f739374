// mmdebstrap (apt package `mmdebstrap`): a Debian root filesystem from packages, as a tarball,
// without root. Pure argv builder plus the shared runner; the mode is chosen from what the host
// allows (see chooseMode).
import fs from 'node:fs';
import os from 'node:os';
import { CancelledError, runTool, ToolFailedError } from './run';
import { findExecutable } from './find-executable';

export type MmdebstrapMode = 'root' | 'unshare' | 'fakechroot';

/** Where apt fetches from; the offline build gives a copy:// partial mirror in the same shape. */
export interface AptSource {
  uri: string;
  suite: string;
  components: string[];
}

export interface MmdebstrapInput {
  mode: MmdebstrapMode;
  release: string;
  /** Package names (optionally name=version), installed with their dependencies. */
  packages: string[];
  sources: AptSource[];
  output: string;
  /** The archive's .debs and its (still compressed) indexes are copied here after the install. */
  syncOut?: { debs: string; lists: string };
  /** Offline rebuilds from a kept mirror: the security suite's InRelease expires after 7 days. */
  offline?: boolean;
  /** What the image's sources.list names (default: `sources`); the real archive when building from a copy. */
  imageSources?: AptSource[];
}

/** Kept in the image only as their licences require. */
const EXCLUDES = ['/usr/share/man/*', '/usr/share/doc/*', '/usr/share/locale/*', '/usr/share/info/*', '/usr/share/lintian/*', '/usr/share/linda/*'];
const MERGED_USR_HOOK = '/usr/share/mmdebstrap/hooks/merged-usr';

export function sourcesLine(s: AptSource): string {
  return `deb ${s.uri} ${s.suite} ${s.components.join(' ')}`;
}

/**
 * The argv for one rootfs. Reproducibility (measured, see debian-base-facts.md) needs
 * SOURCE_DATE_EPOCH in the environment plus: no /etc/resolv.conf, no 99mmdebstrap (every
 * --aptopt is written there), sources.list written canonically (done here).
 */
export function mmdebstrapArgs(i: MmdebstrapInput): string[] {
  // Not --quiet: apt's own reasons (an unknown package, an unreachable archive) are what Yoke explains.
  const a = [`--mode=${i.mode}`, '--variant=essential', '--format=tar'];
  if (i.packages.length) a.push(`--include=${i.packages.join(',')}`);
  a.push(`--hook-dir=${MERGED_USR_HOOK}`);
  for (const e of EXCLUDES) a.push(`--dpkgopt=path-exclude=${e}`);
  a.push('--dpkgopt=path-include=/usr/share/doc/*/copyright');
  // Indexes kept as the archive serves them, so the kept copy still matches InRelease.
  a.push('--aptopt=Acquire::IndexTargets::deb::Packages::KeepCompressed "true"', '--aptopt=Acquire::IndexTargets::deb::Packages::KeepCompressedAs "xz"');
  a.push('--aptopt=Acquire::Languages "none"');
  // The signature is still checked; the kept copy has the files by name, not by hash.
  // apt reads the kept copy as its own (namespace) root, not as _apt, which cannot enter a data
  // directory made private to its owner.
  if (i.offline) a.push('--aptopt=Acquire::Check-Valid-Until "false"', '--aptopt=Acquire::By-Hash "no"', '--aptopt=APT::Sandbox::User "root"');
  if (i.syncOut) {
    a.push('--skip=essential/unlink');
    a.push(`--customize-hook=sync-out /var/cache/apt/archives ${i.syncOut.debs}`, `--customize-hook=sync-out /var/lib/apt/lists ${i.syncOut.lists}`);
  }
  const canonical = (i.imageSources ?? i.sources).map(sourcesLine).join('\\n');
  a.push(
    `--customize-hook=rm -f "$1/etc/resolv.conf" "$1/etc/apt/apt.conf.d/99mmdebstrap" "$1/etc/hostname"`,
    // The image lists the real archive, even when it was built from Yoke's kept copy.
    `--customize-hook=printf '${canonical}\\n' >"$1/etc/apt/sources.list"`,
  );
  a.push(i.release, i.output, ...i.sources.map(sourcesLine));
  return a;
}

/** The default sources: the release, its updates and its security fixes. */
export function debianSources(release: string): AptSource[] {
  return [
    { uri: 'http://deb.debian.org/debian', suite: release, components: ['main'] },
    { uri: 'http://deb.debian.org/debian', suite: `${release}-updates`, components: ['main'] },
    { uri: 'http://deb.debian.org/debian-security', suite: `${release}-security`, components: ['main'] },
  ];
}

export class NoRootlessModeError extends Error {
  /** `noSubids`: the user has no subordinate ids, which would also fix it where namespaces are allowed. */
  constructor(user?: string) {
    super(
      'This machine can build a Debian base neither in a user namespace (blocked here, or no subordinate ids in /etc/subuid) nor with fakechroot (not installed). Install it with: sudo apt-get install fakechroot fakeroot' +
        (user ? ` (or, where user namespaces are allowed, give ${user} subordinate ids, for example: sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user})` : ''),
    );
    this.name = 'NoRootlessModeError';
  }
}

function hasSubuids(): boolean {
  const user = os.userInfo().username;
  const uid = String(process.getuid?.() ?? '');
  try {
    return fs
      .readFileSync('/etc/subuid', 'utf8')
      .split('\n')
      .some((l) => l.split(':')[0] === user || l.split(':')[0] === uid);
  } catch {
    return false;
  }
}

/**
 * root when we are root; unshare where user namespaces work (tried, not guessed: Ubuntu's
 * AppArmor policy blocks them while the sysctl says yes); fakechroot otherwise. All three give
 * the same bytes (measured).
 */
export async function chooseMode(signal?: AbortSignal): Promise<MmdebstrapMode> {
  if (process.getuid?.() === 0) return 'root';
  const subids = hasSubuids();
  if (subids) {
    try {
      await runTool({ tool: 'unshare', aptPackage: 'util-linux', argv: ['--user', '--map-root-user', 'true'], timeoutMs: 10_000, signal });
      if (findExecutable('newuidmap')) return 'unshare';
    } catch (e) {
      if (e instanceof CancelledError) throw e;
    }
  }
  if (findExecutable('fakechroot') && findExecutable('fakeroot')) return 'fakechroot';
  throw new NoRootlessModeError(subids ? undefined : os.userInfo().username);
}

export async function mmdebstrap(i: MmdebstrapInput, o: { epoch: number; signal?: AbortSignal }): Promise<void> {
  try {
    await runTool({
      tool: 'mmdebstrap',
      aptPackage: 'mmdebstrap',
      argv: mmdebstrapArgs(i),
      env: { SOURCE_DATE_EPOCH: String(o.epoch) },
      signal: o.signal,
      timeoutMs: 30 * 60_000,
      // Its own cleanup (unmounting, removing its temp tree) runs on SIGTERM: give it time.
      group: { graceMs: 20_000 },
    });
  } catch (e) {
    fs.rmSync(i.output, { force: true });
    throw e;
  }
}

export { ToolFailedError };
