import fs from 'node:fs';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type StaticLookup = { kind: 'file'; file: string; index: boolean } | { kind: 'missing' } | { kind: 'not-built' };

/**
 * Maps a URL path to a file under the built renderer. Paths that escape the folder are
 * "missing"; paths without an extension are screens of the single-page app and get index.html.
 */
export function lookupStatic(root: string, urlPath: string): StaticLookup {
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) return { kind: 'not-built' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { kind: 'missing' };
  }
  if (decoded.includes('\0')) return { kind: 'missing' };
  const file = path.resolve(root, '.' + path.posix.normalize('/' + decoded));
  if (file !== root && !file.startsWith(root + path.sep)) return { kind: 'missing' };
  if (file === root || file === index) return { kind: 'file', file: index, index: true };
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file);
  } catch {
    stat = undefined;
  }
  if (stat?.isFile()) return { kind: 'file', file, index: false };
  if (path.extname(decoded) === '') return { kind: 'file', file: index, index: true };
  return { kind: 'missing' };
}
