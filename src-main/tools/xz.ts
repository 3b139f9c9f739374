// xz (apt package `xz-utils`): reads the archive's Packages.xz indexes Yoke keeps (they are kept
// compressed, as the archive serves them, so they still match InRelease).
import { runTool } from './run';

export function xzCatArgs(file: string): string[] {
  return ['-d', '-c', file];
}

export async function xzCat(file: string, o: { signal?: AbortSignal } = {}): Promise<string> {
  return (await runTool({ tool: 'xz', aptPackage: 'xz-utils', argv: xzCatArgs(file), signal: o.signal, timeoutMs: 120_000 })).stdout;
}
