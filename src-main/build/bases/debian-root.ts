// The Debian root filesystem image: mmdebstrap's tarball, then Yoke's files and the appliance's
// layer over it, packed as erofs. Unpacked and packed under one fakeroot state, so owners stay the
// tarball's (www-data's files stay www-data's) when nobody is root, and the image is the same
// bytes whoever builds it.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CpioTree, writeCpio, type CpioEntry } from '../cpio';
import { cpioExtract } from '../../tools/cpio';
import { mkfsErofs } from '../../tools/mkfs-erofs';
import { tarExtract } from '../../tools/tar';
import { debianYokeTree } from './debian';

/** The root image's file name: in the rootfs stage's cache entry, and in update packages. */
export const ROOT_IMAGE = 'rootfs.erofs';

export interface RootImageInput {
  baseTar: string;
  /** The appliance's layer (generated init, fstab, overlay): wins over the base and Yoke's files. */
  appliance: CpioTree;
  /** The in-image updater (resources/guest/yoke-update.sh and its helpers): over everything. */
  updater?: CpioTree;
  out: string;
  work: string;
  epoch: number;
  /** Content-derived; the initramfs finds the root by it (kernel command line yoke.root=). */
  uuid: string;
  signal?: AbortSignal;
}

/** A UUID from a content hash: the same inputs give the same filesystem, anywhere. */
export function uuidFrom(seed: string): string {
  const h = crypto.createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Directories the base already has (as a folder or a merged-/usr symlink such as /bin → usr/bin)
 * keep the base's entry: an archive entry for them would replace the link with a folder.
 */
function withoutExistingDirs(root: string, entries: CpioEntry[]): CpioEntry[] {
  return entries.filter((e) => {
    if (e.type !== 'dir') return true;
    try {
      fs.lstatSync(path.join(root, e.path));
      return false;
    } catch {
      return true;
    }
  });
}

/** The unpacked tree holds read-only folders (usr/share/... 0555): made writable first, or a non-root user could not remove it. */
function removeTree(dir: string): void {
  if (process.getuid?.() !== 0) {
    const walk = (d: string) => {
      try {
        fs.chmodSync(d, 0o700);
        for (const e of fs.readdirSync(d, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(d, e.name));
      } catch {
        // gone already, or not ours: rmSync reports what matters
      }
    };
    walk(dir);
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

export async function buildRootImage(i: RootImageInput): Promise<void> {
  const dir = fs.mkdtempSync(path.join(i.work, 'debian-root-'));
  const root = path.join(dir, 'root');
  const state = path.join(dir, 'fakeroot.state');
  fs.mkdirSync(root);
  try {
    await tarExtract(i.baseTar, root, state, { signal: i.signal });
    const layers = new CpioTree();
    for (const t of [await debianYokeTree(i.signal), i.appliance, ...(i.updater ? [i.updater] : [])]) for (const e of t.sorted()) layers.add(e);
    const cpio = path.join(dir, 'layers.cpio');
    await writeCpio(withoutExistingDirs(root, layers.sorted()), cpio, i.epoch, i.signal);
    await cpioExtract(cpio, root, state, { signal: i.signal });
    await mkfsErofs({ out: i.out, dir: root, epoch: i.epoch, uuid: i.uuid }, state, { signal: i.signal });
  } catch (e) {
    fs.rmSync(i.out, { force: true });
    throw e;
  } finally {
    removeTree(dir);
  }
}
