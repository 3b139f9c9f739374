import path from 'node:path';
import type { BrowserWindowConstructorOptions } from 'electron';
import { APP_HOST, APP_SCHEME } from './app-protocol';

/** Where the window's page comes from: the built index.html, or the dev server under `electron-vite dev`. */
export interface AppOrigin {
  indexFile: string;
  devUrl?: string;
}

export function appOrigin(mainDir: string, env: NodeJS.ProcessEnv = process.env): AppOrigin {
  return { indexFile: path.join(mainDir, '../renderer/index.html'), devUrl: env.ELECTRON_RENDERER_URL || undefined };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True only for the app's own page: app://yoke/index.html (never file://), or the dev server's origin. */
export function isAppUrl(url: string, origin: AppOrigin): boolean {
  const u = parse(url);
  if (!u) return false;
  if (u.protocol === `${APP_SCHEME}:`) return u.host === APP_HOST && (u.pathname === '/index.html' || u.pathname === '/');
  if (!origin.devUrl) return false;
  const dev = parse(origin.devUrl);
  return dev !== null && (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === dev.origin;
}

/** Links may leave the app for the system browser, but only over https. */
export function isAllowedExternal(url: string): boolean {
  const u = parse(url);
  return u !== null && u.protocol === 'https:' && u.hostname !== '' && u.username === '' && u.password === '';
}

/** The renderer is an untrusted web page with one door (the preload's window.yoke). */
export function windowOptions(preloadPath: string, iconPath?: string, opts: { devTools?: boolean } = {}): BrowserWindowConstructorOptions {
  return {
    title: 'Yoke',
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 700,
    show: false,
    backgroundColor: '#16181d',
    ...(iconPath ? { icon: iconPath } : {}),
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      // Packaged builds have no DevTools at all (not only no menu entry): pass devTools: true in development.
      devTools: opts.devTools ?? false,
    },
  };
}

/** Every permission (camera, notifications, clipboard-read, geolocation, …) is refused. */
export function permissionRequestHandler(_contents: unknown, _permission: string, callback: (granted: boolean) => void): void {
  callback(false);
}

export function permissionCheckHandler(): boolean {
  return false;
}
