// GNU tar (essential on Debian): unpacks the Debian base's tarball under fakeroot.
import { underFakeroot } from './fakeroot';

/** Owners by number (the tar's, never the host's names), modes kept, into `dir`. */
export function tarExtractArgs(archive: string, dir: string): string[] {
  return ['-x', '-f', archive, '-C', dir, '--numeric-owner', '--same-owner', '--same-permissions', '--xattrs', '--xattrs-include=*'];
}

export async function tarExtract(archive: string, dir: string, state: string, o: { signal?: AbortSignal } = {}): Promise<void> {
  await underFakeroot(state, { tool: 'tar', aptPackage: 'tar', argv: tarExtractArgs(archive, dir), signal: o.signal, timeoutMs: 600_000 });
}
