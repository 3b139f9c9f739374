import { runTool } from './run';

/**
 * Copy keeping holes (a 20 GiB sparse data disk stays small) and sharing blocks where the
 * filesystem can. The copy is writable whatever the source's mode: builds keep their disks
 * read-only, and a copy is taken precisely to be written (a VM's data disk).
 */
export function cpSparseArgs(src: string, dest: string): string[] {
  return ['--reflink=auto', '--sparse=always', '--no-preserve=mode', '--', src, dest];
}

export async function cpSparse(src: string, dest: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'cp', argv: cpSparseArgs(src, dest), signal: opts.signal, timeoutMs: 600_000 });
}
