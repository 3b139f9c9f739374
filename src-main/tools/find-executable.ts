import fs from 'node:fs';
import path from 'node:path';

/** Debian keeps mke2fs, sfdisk and mkfs.vfat in the sbin folders, which a normal user's PATH lacks. */
export const EXTRA_DIRS = ['/usr/sbin', '/sbin'];

/** The folders searched, in order: PATH's, then the sbin folders it does not already name. */
export function searchDirs(pathEnv: string | undefined): string[] {
  const fromPath = (pathEnv ?? '').split(path.delimiter).filter((d) => d !== '' && path.isAbsolute(d));
  const dirs = [...fromPath];
  for (const d of EXTRA_DIRS) if (!dirs.includes(d)) dirs.push(d);
  return dirs;
}

function isExecutableFile(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The absolute path of a program, or null when none of the folders holds an executable one. */
export function findExecutable(name: string, pathEnv: string | undefined = process.env.PATH): string | null {
  for (const dir of searchDirs(pathEnv)) {
    const p = path.join(dir, name);
    if (isExecutableFile(p)) return p;
  }
  return null;
}
