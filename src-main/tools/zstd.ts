import fs from 'node:fs';
import { runTool } from './run';

export interface ZstdOptions {
  level?: number;
  /** 0 = one worker per core. */
  threads?: number;
}

/** Compress `input` into `output`; -T0 uses every core, and zstd output does not depend on the thread count. */
export function zstdCompressArgs(input: string, output: string, o: ZstdOptions = {}): string[] {
  return [`-${o.level ?? 3}`, `-T${o.threads ?? 0}`, '-q', '-f', '--no-progress', input, '-o', output];
}

export async function zstdCompress(input: string, output: string, o: ZstdOptions & { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'zstd', argv: zstdCompressArgs(input, output, o), signal: o.signal, timeoutMs: 300_000 });
}

export async function zstdVersion(): Promise<string> {
  const r = await runTool({ tool: 'zstd', argv: ['-V'], timeoutMs: 10_000 });
  return r.stdout.trim();
}

/**
 * A binary delta: OUT rebuilds `input` from `base` (`zstd -d --patch-from=base`). Used for diff
 * update packages. Level 19 for small files; above 8 MiB (a Debian root image) level 9: measured
 * on a 44 MB erofs with one file changed, 19 took 18.4 s for a 3.8 KB patch, 9 took 0.6 s for 4.9 KB.
 */
export function zstdPatchFromArgs(base: string, input: string, output: string, baseBytes = 0): string[] {
  return [baseBytes > 8 * 1024 * 1024 ? '-9' : '-19', '-T0', '-q', '-f', '--no-progress', `--patch-from=${base}`, input, '-o', output];
}

export async function zstdPatchFrom(base: string, input: string, output: string, o: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'zstd', argv: zstdPatchFromArgs(base, input, output, fs.statSync(base).size), signal: o.signal, timeoutMs: 600_000 });
}

/** Decompress `input` (any number of concatenated frames) into `output`. */
export function zstdDecompressArgs(input: string, output: string): string[] {
  return ['-d', '-q', '-f', '--no-progress', input, '-o', output];
}

export async function zstdDecompress(input: string, output: string, o: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'zstd', argv: zstdDecompressArgs(input, output), signal: o.signal, timeoutMs: 120_000 });
}
