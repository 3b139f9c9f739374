import { runTool } from './run';

export function dpkgDebExtractArgs(deb: string, dir: string): string[] {
  return ['-x', deb, dir];
}

/** Unpacks a .deb's files into dir without installing anything (no root needed). */
export async function dpkgDebExtract(deb: string, dir: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'dpkg-deb', argv: dpkgDebExtractArgs(deb, dir), signal: opts.signal, timeoutMs: 300_000 });
}
