import { runTool } from './run';

interface Opts {
  cwd?: string;
  signal?: AbortSignal;
}

export function aptGetDownloadArgs(packages: string[]): string[] {
  return ['download', '-q', ...packages];
}

export function aptCacheDependsArgs(pkg: string): string[] {
  return ['depends', '--no-recommends', '--no-suggests', '--no-conflicts', '--no-breaks', '--no-replaces', '--no-enhances', pkg];
}

/** The names after "Depends:" in `apt-cache depends` output (alternatives and virtuals included). */
export function parseAptCacheDepends(stdout: string): string[] {
  const out: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^\s*\|?Depends:\s*<?([^\s>]+)>?/.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

/** Downloads .deb files into cwd as the current user: no root, nothing installed. */
export async function aptGetDownload(packages: string[], opts: Opts = {}): Promise<void> {
  await runTool({ tool: 'apt-get', argv: aptGetDownloadArgs(packages), cwd: opts.cwd, signal: opts.signal, timeoutMs: 600_000 });
}

export async function aptCacheDepends(pkg: string, opts: Opts = {}): Promise<string[]> {
  const r = await runTool({ tool: 'apt-cache', argv: aptCacheDependsArgs(pkg), signal: opts.signal, timeoutMs: 60_000 });
  return parseAptCacheDepends(r.stdout);
}

/** Debian's archive keys (apt package `debian-archive-keyring`, which mmdebstrap depends on). */
export const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

/**
 * `apt-get update` into a private folder: its own sources.list, lists and (empty) status, the
 * host's apt state untouched and no root needed. The signature of every InRelease is still checked.
 */
export function aptGetPrivateUpdateArgs(dir: string): string[] {
  const o = (k: string, v: string) => ['-o', `${k}=${v}`];
  return [
    'update',
    '-q',
    ...o('Dir::State', `${dir}/state`),
    ...o('Dir::State::status', `${dir}/status`),
    ...o('Dir::Cache', `${dir}/cache`),
    ...o('Dir::Etc::SourceList', `${dir}/sources.list`),
    ...o('Dir::Etc::SourceParts', `${dir}/none`),
    ...o('Dir::Etc::Preferences', `${dir}/none`),
    ...o('Dir::Etc::PreferencesParts', `${dir}/none`),
    ...o('Debug::NoLocking', '1'),
    ...o('Acquire::Languages', 'none'),
    ...o('APT::Architecture', 'amd64'),
    // Plain index files to read (Debian's container images set apt to keep them compressed).
    ...o('Acquire::GzipIndexes', 'false'),
    ...o('Acquire::IndexTargets::deb::Packages::KeepCompressed', 'false'),
    // As root apt would hand the download to _apt, which cannot enter a private temp folder.
    ...(process.getuid?.() === 0 ? o('APT::Sandbox::User', 'root') : []),
  ];
}

export async function aptGetPrivateUpdate(dir: string, opts: Opts = {}): Promise<void> {
  await runTool({ tool: 'apt-get', argv: aptGetPrivateUpdateArgs(dir), signal: opts.signal, timeoutMs: 600_000 });
}
