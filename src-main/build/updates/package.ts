// Update packages: an uncompressed tar (busybox tar reads it) holding `manifest` (text, one
// "key value" per line), `manifest.sig` (64-byte Ed25519 signature of the manifest), then the
// payload. The manifest names every file with its SHA-256, so one signature covers them all.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { writeTar } from '../tar';
import { hashFileSync as sha256Of } from '../hash';

export const PACKAGE_FORMAT = 1;

export type PackageFile =
  /** The file itself is in the package. */
  | { kind: 'file'; name: string; sha256: string; path: string }
  /** Diff packages: the appliance's current file is already right. */
  | { kind: 'same'; name: string; sha256: string; oldSha256: string }
  /** Diff packages: `<name>.zpatch` rebuilds the file from the appliance's current one. */
  | { kind: 'patch'; name: string; sha256: string; oldSha256: string; patchPath: string }
  /**
   * A root filesystem image (a Debian base's erofs): written to the other slot's root partition,
   * not the boot partition. Its size travels with it: a partition is read back by its first bytes.
   */
  | { kind: 'root'; name: string; sha256: string; size: number; path: string }
  /** Diff packages: `<name>.zpatch` rebuilds the root image from the running one (its first oldSize bytes). */
  | { kind: 'rootpatch'; name: string; sha256: string; size: number; oldSha256: string; oldSize: number; patchPath: string };

export interface Manifest {
  appliance: string;
  version: string;
  type: 'full' | 'diff';
  /** Diff packages: the build they apply to. */
  from?: { version: string; buildId: number | string };
  /** Initrd layer names, in load order. */
  initrds: string[];
  cmdline: string;
  files: PackageFile[];
}

function checkToken(what: string, v: string): string {
  if (!/^[A-Za-z0-9._+-]+$/.test(v)) throw new Error(`Update package ${what} "${v}" may only hold letters, digits and . _ + -`);
  return v;
}

export function manifestText(m: Manifest): string {
  const lines = [
    `yoke-update ${PACKAGE_FORMAT}`,
    `appliance ${checkToken('appliance', m.appliance)}`,
    `version ${checkToken('version', m.version)}`,
    `type ${m.type}`,
    ...(m.from ? [`from ${checkToken('version', m.from.version)} build-${m.from.buildId}`] : []),
    `initrd ${m.initrds.map((n) => checkToken('file', n)).join(' ')}`,
    `cmdline ${m.cmdline.replace(/\n/g, ' ')}`,
  ];
  for (const f of m.files) {
    checkToken('file', f.name);
    if (f.kind === 'file') lines.push(`file ${f.name} ${f.sha256}`);
    else if (f.kind === 'root') lines.push(`root ${f.name} ${f.sha256} ${f.size}`);
    else if (f.kind === 'rootpatch') lines.push(`rootpatch ${f.name} ${f.sha256} ${f.size} ${f.oldSha256} ${f.oldSize}`);
    else lines.push(`${f.kind} ${f.name} ${f.sha256} ${f.oldSha256}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Parses a manifest back (host side: tests, `diff` packages read their base from a full one). */
export interface ManifestFile {
  kind: string;
  name: string;
  sha256: string;
  oldSha256?: string;
  /** Root images: their size, and a root patch's base size. */
  size?: number;
  oldSize?: number;
}

export function parseManifest(text: string): { fields: Record<string, string>; files: ManifestFile[] } {
  const fields: Record<string, string> = {};
  const files: ManifestFile[] = [];
  for (const line of text.split('\n')) {
    const [k, ...rest] = line.split(' ');
    if (!k) continue;
    if (k === 'file' || k === 'same' || k === 'patch') files.push({ kind: k, name: rest[0], sha256: rest[1], ...(rest[2] ? { oldSha256: rest[2] } : {}) });
    else if (k === 'root') files.push({ kind: k, name: rest[0], sha256: rest[1], size: Number(rest[2]) });
    else if (k === 'rootpatch') files.push({ kind: k, name: rest[0], sha256: rest[1], size: Number(rest[2]), oldSha256: rest[3], oldSize: Number(rest[4]) });
    else fields[k] = rest.join(' ');
  }
  return { fields, files };
}

export function signManifest(text: string, key: crypto.KeyObject): Buffer {
  return crypto.sign(null, Buffer.from(text), key);
}

export async function writePackage(out: string, m: Manifest, key: crypto.KeyObject, epoch: number): Promise<void> {
  const text = manifestText(m);
  const entries: Parameters<typeof writeTar>[1] = [
    { name: 'manifest', data: Buffer.from(text) },
    { name: 'manifest.sig', data: signManifest(text, key) },
  ];
  for (const f of m.files) {
    if (f.kind === 'file' || f.kind === 'root') entries.push({ name: f.name, file: f.path, size: fs.statSync(f.path).size });
    if (f.kind === 'patch' || f.kind === 'rootpatch') entries.push({ name: `${f.name}.zpatch`, file: f.patchPath, size: fs.statSync(f.patchPath).size });
  }
  try {
    // The same writer as the OVA: its errors (a full disk) reject here instead of escaping as stream events.
    await writeTar(out, entries, epoch);
  } catch (e) {
    fs.rmSync(out, { force: true });
    throw e;
  }
}

/** Every member of a package as host files in `dir` (for diffs against an older build's full package). */
export async function unpackPackage(file: string, dir: string): Promise<string[]> {
  const names: string[] = [];
  const ex = tar.extract();
  ex.on('entry', (h, stream, next) => {
    if (!/^[A-Za-z0-9._+-]+$/.test(h.name)) {
      stream.resume();
      return next();
    }
    names.push(h.name);
    stream.pipe(fs.createWriteStream(`${dir}/${h.name}`)).on('finish', () => next()).on('error', next);
  });
  await pipeline(fs.createReadStream(file), ex);
  return names;
}

export function fileEntry(name: string, path: string): PackageFile {
  return { kind: 'file', name, sha256: sha256Of(path), path };
}

export function rootEntry(name: string, path: string): PackageFile {
  return { kind: 'root', name, sha256: sha256Of(path), size: fs.statSync(path).size, path };
}
