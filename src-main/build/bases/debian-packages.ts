// The Debian package set as its own cached stage: mmdebstrap runs only when the exact package
// list, release or lock changes — never for an overlay or init change (those are the rootfs
// stage's). The entry holds base.tar, the installed tree as mmdebstrap wrote it.
import fs from 'node:fs';
import path from 'node:path';
import type { BuildContext } from '../context';
import type { Stage } from '../runner';
import { cached } from '../stages';
import { chooseMode, debianSources, mmdebstrap } from '../../tools/mmdebstrap';
import { baseFor } from './index';
import { lockFromDownload, readLock, writeLock, type DebianLock } from './debian-lock';

export const debianPackagesStage: Stage<BuildContext> = {
  name: 'debian-packages',
  after: ['inputs'],
  async run(ctx, progress) {
    const { spec } = ctx;
    if (!baseFor(spec.base.userland).rootOnDisk) return 'skipped';
    const release = spec.base.release;
    const packages = [...spec.base.packages].sort();
    const lockFile = path.join(spec.dir, 'appliance.lock');
    const lock = readLock(lockFile);
    const stale = lock && (lock.release !== release || lock.requested.join(',') !== packages.join(','));
    if (stale) ctx.log('info', `appliance.lock was made for another package list; resolving packages again (${packages.join(', ')})`);
    const pinned = lock && !stale ? lock : null;
    // With a lock the key is its content: the same lock gives the same tree, on any machine.
    const parts = { stage: 'debian-packages', release, packages, lock: pinned?.digest ?? null };
    let made: DebianLock | null = null;
    const [entry, hit] = await cached(ctx, parts, async (tmp) => {
      const mode = await chooseMode(ctx.signal);
      ctx.log('info', `installing ${packages.join(', ')} from Debian ${release} (mmdebstrap, ${mode} mode)`);
      progress(0.1, `mmdebstrap (${mode})`);
      const sync = { debs: path.join(ctx.work, 'debs'), lists: path.join(ctx.work, 'lists') };
      fs.mkdirSync(sync.debs, { recursive: true });
      fs.mkdirSync(sync.lists, { recursive: true });
      const include = pinned ? pinned.packages.map((p) => `${p.name}=${p.version}`) : packages;
      await mmdebstrap({ mode, release, packages: include, sources: debianSources(release), output: path.join(tmp, 'base.tar'), syncOut: sync }, { epoch: ctx.epoch, signal: ctx.signal });
      made = lockFromDownload(release, packages, sync.debs, sync.lists);
      return { packages: made.packages.length };
    });
    if (made && !pinned) {
      writeLock(lockFile, made);
      ctx.log('info', `wrote ${lockFile} (${(made as DebianLock).packages.length} packages)`);
    }
    ctx.packageSet = entry;
    return hit;
  },
};
