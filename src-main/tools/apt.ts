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
