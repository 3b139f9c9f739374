// GNU cpio (apt package `cpio`): lays Yoke's own files (a newc archive Yoke wrote) over the
// unpacked Debian base, under fakeroot so they are root's whoever builds.
import { underFakeroot } from './fakeroot';

export function cpioExtractArgs(): string[] {
  return ['-i', '-d', '-m', '-u', '--no-absolute-filenames', '--quiet'];
}

export async function cpioExtract(archive: string, dir: string, state: string, o: { signal?: AbortSignal } = {}): Promise<void> {
  const fs = await import('node:fs');
  await underFakeroot(state, { tool: 'cpio', aptPackage: 'cpio', argv: cpioExtractArgs(), cwd: dir, input: fs.readFileSync(archive), signal: o.signal, timeoutMs: 300_000 });
}
