// fsck.erofs (apt package `erofs-utils`): unpacks a Debian base's read-only root filesystem
// without mount or root, so Compare can list the files a build really boots (erofs-utils 1.5,
// bookworm's, has no listing mode: dump.erofs --ls shows one directory per run).
import { underFakeroot } from './fakeroot';

/**
 * Checks every file's encoding on the way and keeps each mode. Not the owners: fsck.erofs 1.5
 * chowns after its chmod, and a real chown (as root) drops setuid and setgid (su came out 0755,
 * not 4755; measured). Owners are not listed anyway. Device nodes are made (faked under fakeroot).
 */
export function fsckErofsExtractArgs(image: string, dir: string): string[] {
  return [`--extract=${dir}`, '--preserve-perms', '--no-preserve-owner', image];
}

/** Unpack `image` into `dir` (which must not exist) under the fakeroot state `state`, so a later `find` under it sees the image's modes and device nodes. */
export async function fsckErofsExtract(image: string, dir: string, state: string, o: { signal?: AbortSignal } = {}): Promise<void> {
  await underFakeroot(state, { tool: 'fsck.erofs', aptPackage: 'erofs-utils', argv: fsckErofsExtractArgs(image, dir), signal: o.signal, timeoutMs: 300_000 });
}
