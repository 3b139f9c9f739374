// Every path in appliance.yaml is relative to the appliance folder and must stay inside it,
// also after following symlinks: a build must never read files from elsewhere on the host.
import fs from 'node:fs';
import path from 'node:path';
import { elidePath, tooLongPath } from './describe';

export type PathCheck =
  | { ok: true; abs: string; kind: 'file' | 'dir' | 'other' }
  | { ok: false; message: string };

/** Resolve `rel` inside `dir` (absolute) and check it exists as `want`. `what` names it in messages. */
export function checkInsidePath(dir: string, rel: string, what: string, want: 'file' | 'dir'): PathCheck {
  if (rel.trim() === '') return { ok: false, message: `expected a path to ${what} inside the appliance folder, found an empty string` };
  const long = tooLongPath(rel);
  if (long) return { ok: false, message: `${what} '${elidePath(rel)}' is too long (${long}); use a shorter path` };
  if (path.isAbsolute(rel)) {
    return { ok: false, message: `${what} '${rel}' is an absolute path; write it relative to the appliance folder ${dir}` };
  }
  const abs = path.resolve(dir, rel);
  if (!isInside(dir, abs)) return { ok: false, message: `${what} '${rel}' leaves the appliance folder; paths must stay inside ${dir}` };
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    const dangling = isSymlink(abs);
    return { ok: false, message: dangling ? `${what} '${rel}' is a symlink to something that does not exist` : `${what} '${rel}' not found in ${dir}; create it or fix the path` };
  }
  let real: string;
  let realDir: string;
  try {
    real = fs.realpathSync(abs);
    realDir = fs.realpathSync(dir);
  } catch (e) {
    return { ok: false, message: `${what} '${rel}' cannot be resolved: ${(e as Error).message}` };
  }
  if (!isInside(realDir, real)) {
    return { ok: false, message: `${what} '${rel}' resolves to ${real} through a symlink, outside the appliance folder; copy it into the folder instead` };
  }
  const kind = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other';
  if (kind !== want) return { ok: false, message: `${what} '${rel}' is ${kind === 'dir' ? 'a directory' : kind === 'file' ? 'a file' : 'not a regular file'}; expected a ${want === 'dir' ? 'directory' : 'file'}` };
  return { ok: true, abs, kind };
}

function isInside(dir: string, p: string): boolean {
  const r = path.relative(dir, p);
  return r === '' || (r !== '..' && !r.startsWith('..' + path.sep) && !path.isAbsolute(r));
}

function isSymlink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
