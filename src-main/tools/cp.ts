import { runTool } from './run';

/** Copy keeping holes (a 20 GiB sparse data disk stays small) and sharing blocks where the filesystem can. */
export function cpSparseArgs(src: string, dest: string): string[] {
  return ['--reflink=auto', '--sparse=always', '--', src, dest];
}

export async function cpSparse(src: string, dest: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'cp', aptPackage: 'coreutils', argv: cpSparseArgs(src, dest), signal: opts.signal, timeoutMs: 600_000 });
}
