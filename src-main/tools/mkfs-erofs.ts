// mkfs.erofs (apt package `erofs-utils`): the appliance's compressed read-only root filesystem.
// Reproducible: -T pins every inode's time and the superblock's, -U the filesystem UUID.
import { underFakeroot } from './fakeroot';

export interface ErofsInput {
  out: string;
  dir: string;
  epoch: number;
  /** 8-4-4-4-12 hex, derived from the content. */
  uuid: string;
}

export function mkfsErofsArgs(i: ErofsInput): string[] {
  return ['-zlz4hc', `-T${i.epoch}`, `-U${i.uuid}`, '--quiet', i.out, i.dir];
}

/** Run under the same fakeroot state that unpacked `dir`, so owners and device nodes are the archive's. */
export async function mkfsErofs(i: ErofsInput, state: string, o: { signal?: AbortSignal } = {}): Promise<void> {
  await underFakeroot(state, { tool: 'mkfs.erofs', aptPackage: 'erofs-utils', argv: mkfsErofsArgs(i), signal: o.signal, timeoutMs: 600_000 });
}
