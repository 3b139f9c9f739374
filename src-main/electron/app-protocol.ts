// The window's page comes from app://yoke/ instead of file://: a file:// page shares an origin
// with every file on the disk and gets privileges no web page has (the grantFileProtocolExtra-
// Privileges fuse is off in packaged builds, see build/electron-builder.yml). The handler serves
// only files inside the built renderer folder.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const APP_SCHEME = 'app';
export const APP_HOST = 'yoke';
export const APP_INDEX_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** standard: relative URLs and 'self' in the CSP work; secure: like https (no mixed-content rules bent). */
export const APP_SCHEME_PRIVILEGES = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } };

/** The file inside `rendererDir` an app:// URL names, or null for anything else. */
export function appFileFor(url: string, rendererDir: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  if (rel === '/' || rel === '') rel = '/index.html';
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, `.${rel}`);
  return file.startsWith(root + path.sep) ? file : null;
}

interface ProtocolLike {
  handle(scheme: string, handler: (req: { url: string }) => Response | Promise<Response>): void;
}
interface NetLike {
  fetch(url: string): Promise<Response>;
}

/** Serves app://yoke/… from `rendererDir` (call once the app is ready). */
export function registerAppProtocol(protocol: ProtocolLike, net: NetLike, rendererDir: string): void {
  protocol.handle(APP_SCHEME, (req) => {
    const file = appFileFor(req.url, rendererDir);
    if (!file) return new Response('Not found', { status: 404 });
    return net.fetch(pathToFileURL(file).href);
  });
}
