import { BrowserWindow, shell, type Session, type WebContents } from 'electron';
import { APP_INDEX_URL } from './app-protocol';
import { isAllowedExternal, isAppUrl, permissionCheckHandler, permissionRequestHandler, windowOptions, type AppOrigin } from './security';

/** No permission prompt ever reaches the user: the app needs none. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler(permissionRequestHandler);
  session.setPermissionCheckHandler(permissionCheckHandler);
}

/** The page cannot navigate away, open windows or embed webviews; https links go to the browser. */
export function hardenContents(contents: WebContents, origin: AppOrigin): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url, origin)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url, origin)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isAllowedExternal(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

export function createMainWindow(origin: AppOrigin, preloadPath: string, iconPath?: string, devTools = false): BrowserWindow {
  const win = new BrowserWindow(windowOptions(preloadPath, iconPath, { devTools }));
  hardenContents(win.webContents, origin);
  win.once('ready-to-show', () => win.show());
  if (origin.devUrl) void win.loadURL(origin.devUrl);
  else void win.loadURL(APP_INDEX_URL); // served by app-protocol.ts from the built renderer folder
  return win;
}
