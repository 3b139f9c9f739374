// Reads appliance.yaml defensively: stat before reading (a 30 MB file or a FIFO is refused
// without reading it), then refuse binary data before the YAML parser ever sees it.
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import { elidePath, tooLongPath } from './describe';
import { formatSize } from './size';

export const SPEC_FILE = 'appliance.yaml';
export const MAX_SPEC_BYTES = 1024 * 1024;
// The YAML parser needs ~30 µs a line: a 1 MiB file of short lines would take seconds.
export const MAX_SPEC_LINES = 10_000;
// ...and recurses per level of [ or {: 500k of them take seconds and then overflow the stack.
export const MAX_SPEC_NESTING = 1000;

export type ReadOutcome = { ok: true; text: string } | { ok: false; line: number; col: number; message: string };

const fail = (message: string, line = 1, col = 1): ReadOutcome => ({ ok: false, line, col, message });

export function readSpecText(dir: string): ReadOutcome {
  const file = path.join(dir, SPEC_FILE);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' && isSymlink(file)) return fail(`${SPEC_FILE} is a symlink to a file that does not exist; make it a plain file`);
    return fail(missingMessage(dir, e as NodeJS.ErrnoException));
  }
  // A symlink may stay inside the folder; one leading out is refused before a byte is read, so
  // neither the build nor an error message can carry another file's content.
  if (isSymlink(file) && !resolvesInside(dir, file)) {
    return fail(`${SPEC_FILE} is a symlink to a file outside the appliance folder; copy the spec into the folder instead`);
  }
  if (st.isDirectory()) return fail(`${SPEC_FILE} is a directory; expected a YAML file`);
  if (!st.isFile()) return fail(`${SPEC_FILE} is not a regular file (a device, socket or pipe); expected a YAML file`);
  if (st.size > MAX_SPEC_BYTES) {
    return fail(`${SPEC_FILE} is ${humanBytes(st.size)}; a spec must be under 1 MiB (they are usually a few KB) — is this the right file?`);
  }
  let buf: Buffer;
  try {
    buf = readBounded(file);
  } catch (e) {
    return fail(`cannot read ${SPEC_FILE}: ${(e as Error).message}`);
  }
  if (buf.length > MAX_SPEC_BYTES) return fail(`${SPEC_FILE} grew past 1 MiB while being read; a spec must be under 1 MiB`);
  const nul = buf.indexOf(0);
  if (nul >= 0) {
    const p = bytePosition(buf, nul);
    return fail(`${SPEC_FILE} is not a text file: found a NUL byte at byte ${nul} (binary data, or UTF-16); save it as UTF-8 YAML text`, p.line, p.col);
  }
  const bad = isUtf8(buf) ? -1 : firstInvalidUtf8(buf);
  if (bad >= 0) {
    const p = bytePosition(buf, bad);
    return fail(`${SPEC_FILE} is not UTF-8 text: invalid byte 0x${buf[bad].toString(16).padStart(2, '0')} at byte ${bad}; save it as UTF-8`, p.line, p.col);
  }
  let lines = 1;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) {
    if (++lines > MAX_SPEC_LINES) return fail(`${SPEC_FILE} has more than ${MAX_SPEC_LINES} lines; a spec is usually under a hundred — is this the right file?`, lines, 1);
  }
  const deep = tooDeep(buf);
  if (deep >= 0) {
    const p = bytePosition(buf, deep);
    return fail(`${SPEC_FILE} nests [ and { more than ${MAX_SPEC_NESTING} levels deep; is this the right file?`, p.line, p.col);
  }
  const text = buf.toString('utf8');
  return { ok: true, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

function isSymlink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}

function resolvesInside(dir: string, file: string): boolean {
  try {
    const rel = path.relative(fs.realpathSync(dir), fs.realpathSync(file));
    return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
  } catch {
    return false;
  }
}

/** Offset where flow brackets first nest too deep, or -1. Quotes are ignored: real specs never come close. */
function tooDeep(buf: Buffer): number {
  let depth = 0;
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i];
    if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_SPEC_NESTING) return i;
    } else if ((c === 0x5d || c === 0x7d) && depth > 0) depth--;
  }
  return -1;
}

function readBounded(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(MAX_SPEC_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = fs.readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) break;
    }
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

function missingMessage(dir: string, e: NodeJS.ErrnoException): string {
  if (e.code === 'ENAMETOOLONG') return `the folder path ${elidePath(dir)} is too long (${tooLongPath(path.join(dir, SPEC_FILE)) ?? 'the system refused it'}); use a shorter path`;
  if (e.code !== 'ENOENT' && e.code !== 'ENOTDIR') return `cannot read ${SPEC_FILE} in ${dir}: ${e.message}`;
  let dirStat: fs.Stats | undefined;
  try {
    dirStat = fs.statSync(dir);
  } catch {
    return `folder ${dir} not found; expected an appliance folder holding ${SPEC_FILE}`;
  }
  if (!dirStat.isDirectory()) return `${dir} is not a folder; expected an appliance folder holding ${SPEC_FILE}`;
  let near: string | undefined;
  try {
    near = fs.readdirSync(dir).find((f) => /^appliance\.ya?ml$/i.test(f) && f !== SPEC_FILE);
  } catch {
    near = undefined;
  }
  if (near) return `no ${SPEC_FILE} in ${dir}, but found ${near}; rename it to ${SPEC_FILE}`;
  return `no ${SPEC_FILE} in ${dir}; an appliance folder must hold one (see the sample hello-web appliance)`;
}

function humanBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : formatSize(n);
}

function bytePosition(buf: Buffer, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = buf.indexOf(10); i >= 0 && i < offset; i = buf.indexOf(10, i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}

/** Offset of the first byte that breaks UTF-8, or -1. */
export function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) [need, min] = [1, 0x80];
    else if (c >= 0xe0 && c <= 0xef) [need, min] = [2, 0x800];
    else if (c >= 0xf0 && c <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= b.length) return i;
    let cp = c & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const cc = b[i + k];
      if ((cc & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}
