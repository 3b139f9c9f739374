// The Debian package set as its own cached stage: mmdebstrap runs only when the lock (or, before
// there is one, the package list) changes — never for an overlay or init change (those are the
// rootfs stage's). The entry holds base.tar, the installed tree as mmdebstrap wrote it.
//
// With appliance.lock: from Yoke's kept mirror when it holds everything the lock names (no
// network), else from the archive with every version pinned, checked against the lock's sha256s.
// Without one (or with --refresh): resolved from the archive, then the lock is written.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BuildContext } from '../context';
import type { Stage } from '../runner';
import { cached } from '../stages';
import { chooseMode, debianSources, mmdebstrap } from '../../tools/mmdebstrap';
import { ToolFailedError } from '../../tools/run';
import { baseFor } from './index';
import { lockFromDownload, readLock, writeLock, type DebianLock } from './debian-lock';
import { keepDownload, mirrorFor, mirrorSources, stageMirror } from './debian-mirror';
import { explainInstallFailure, unknownPackageError } from './debian-errors';
import { knownPackageNames } from './debian-names';

export const debianPackagesStage: Stage<BuildContext> = {
  name: 'debian-packages',
  after: ['inputs'],
  async run(ctx, progress) {
    const { spec } = ctx;
    if (!baseFor(spec.base.userland).rootOnDisk) return 'skipped';
    const release = spec.base.release;
    const packages = [...spec.base.packages].sort();
    const lockFile = path.join(spec.dir, 'appliance.lock');
    const lock = ctx.refreshLock ? null : readLock(lockFile);
    const stale = lock && (lock.release !== release || lock.requested.join(',') !== packages.join(','));
    if (stale) ctx.log('info', `appliance.lock was made for another package list; resolving ${packages.join(', ')} again`);
    const pinned = lock && !stale ? lock : null;
    const sources = debianSources(release);
    const sync = { debs: path.join(ctx.work, 'debs'), lists: path.join(ctx.work, 'lists') };
    let made: DebianLock | null = null;

    const specFile = path.join(spec.dir, 'appliance.yaml');
    // A name the release does not have fails at once (with a did-you-mean) when Yoke has kept an
    // index of the release; otherwise mmdebstrap's own refusal is read.
    let known: Set<string> | null = null;
    if (!pinned) {
      known = await knownPackageNames(ctx.home, release, ctx.signal);
      const bad = known && packages.find((p) => !known!.has(p));
      if (bad) throw unknownPackageError(specFile, release, bad, known!);
    }

    const install = async (tmp: string) => {
      const mode = await chooseMode(ctx.signal);
      const out = path.join(tmp, 'base.tar');
      const mirror = pinned ? mirrorFor(ctx.home, pinned) : null;
      const include = pinned ? pinned.packages.map((p) => `${p.name}=${p.version}`) : packages;
      const run = (extra: Partial<Parameters<typeof mmdebstrap>[0]>) =>
        mmdebstrap({ mode, release, packages: include, sources, output: out, ...extra }, { epoch: ctx.epoch, signal: ctx.signal }).catch((e) => {
          throw e instanceof ToolFailedError ? explainInstallFailure(e, { release, packages, spec: specFile, home: ctx.home, missing: mirror && !mirror.ok ? mirror.missing : [], known: known ?? [] }) : e;
        });
      if (mirror?.ok) {
        ctx.log('info', `installing the ${pinned!.packages.length} packages appliance.lock names from Yoke's cache (no network; mmdebstrap, ${mode} mode)`);
        progress(0.1, `mmdebstrap from the cache (${mode})`);
        const staged = stageMirror(mirror.dir, os.tmpdir());
        try {
          await run({ sources: mirrorSources(staged, sources), imageSources: sources, offline: true });
        } finally {
          fs.rmSync(staged, { recursive: true, force: true });
        }
        return;
      }
      ctx.log('info', `installing ${packages.join(', ')} from Debian ${release}${pinned ? ' at the versions appliance.lock names' : ''} (mmdebstrap, ${mode} mode)`);
      progress(0.1, `mmdebstrap (${mode})`);
      for (const d of [sync.debs, sync.lists]) fs.mkdirSync(d, { recursive: true });
      await run({ syncOut: sync });
      made = lockFromDownload(release, packages, sync.debs, sync.lists);
      if (pinned) {
        const want = new Map(pinned.packages.map((p) => [p.name, p]));
        const differ = made.packages.filter((p) => want.get(p.name)?.sha256 !== p.sha256).map((p) => `${p.name} ${p.version}`);
        if (differ.length || made.packages.length !== pinned.packages.length) {
          throw new Error(`Debian's archive gave other packages than appliance.lock names (${differ.slice(0, 5).join(', ') || 'a different set'}). Run \`yoke build --refresh\` to take the archive's current versions into the lock.`);
        }
      }
      await keepDownload(ctx.home, (pinned ?? made).digest, sync.lists, sync.debs, ctx.signal);
    };

    // Keyed by the lock's content: the same lock gives the same tree, on any machine. Without a
    // lock nothing is pinned yet: resolve now (a fresh key), then file the entry under the lock made.
    const key = pinned ? pinned.digest : `resolve-${crypto.randomUUID()}`;
    const parts = (lockDigest: string) => ({ stage: 'debian-packages', release, packages, lock: lockDigest });
    const [entry, hit] = await cached(ctx, parts(key), async (tmp) => {
      await install(tmp);
    });
    ctx.packageSet = entry;
    ctx.debianLock = made ?? pinned ?? undefined;
    if (made && !pinned) {
      const m: DebianLock = made;
      await cached(ctx, parts(m.digest), async (tmp) => {
        fs.linkSync(path.join(entry.dir, 'base.tar'), path.join(tmp, 'base.tar'));
      });
      writeLock(lockFile, m);
      ctx.log('info', `wrote ${lockFile} (${m.packages.length} packages)`);
    }
    return hit;
  },
};
