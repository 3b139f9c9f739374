import { runTool } from './run';

/** `depmod -b BASE VERSION`: writes modules.dep/alias/softdep into BASE/lib/modules/VERSION (no root needed). */
export function depmodArgs(base: string, version: string): string[] {
  return ['-b', base, version];
}

export async function depmod(base: string, version: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  await runTool({ tool: 'depmod', aptPackage: 'kmod', argv: depmodArgs(base, version), signal: opts.signal, timeoutMs: 120_000 });
}
