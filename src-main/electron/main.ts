import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, net, protocol, session, shell, type OpenDialogOptions } from 'electron';
import { Engine } from '../api/engine';
import { resolveHome } from '../util/home';
import { resourcesDir } from '../util/resources';
import { APP_SCHEME_PRIVILEGES, registerAppProtocol } from './app-protocol';
import { forwardEvents, registerIpc } from './ipc';
import { menuTemplate } from './menu';
import { openFileAt } from './open-spec';
import { editorCommand, launchEditor } from '../tools/open-editor';
import { appOrigin } from './security';
import { createMainWindow, hardenSession } from './window';

let mainWindow: BrowserWindow | null = null;

async function pickFolder(): Promise<string | null> {
  const options: OpenDialogOptions = { title: 'Open appliance', properties: ['openDirectory'] };
  const r = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
}

function focusMainWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

function start(): void {
  // Packaged, resources/ is copied beside the asar archive (electron-builder extraResources).
  if (app.isPackaged && !process.env.YOKE_RESOURCES) process.env.YOKE_RESOURCES = path.join(process.resourcesPath, 'resources');
  const home = resolveHome();
  const engine = new Engine({
    home,
    face: 'electron',
    pickFolder,
    openFileAt: (file, line) =>
      openFileAt(file, line, { choose: (f, l) => editorCommand({ file: f, line: l }), launch: launchEditor, reveal: (f) => shell.showItemInFolder(f) }),
  });
  const origin = appOrigin(__dirname);
  const unregister = registerIpc(engine, origin);
  const unforward = forwardEvents(engine, () => mainWindow?.webContents ?? null);

  // Before ready, as Electron requires; the page is served from app://yoke/, never file://.
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  const devTools = !app.isPackaged;
  app.on('second-instance', focusMainWindow);
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  void app.whenReady().then(() => {
    hardenSession(session.defaultSession);
    registerAppProtocol(protocol, net, path.dirname(origin.indexFile));
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate(
          process.platform,
          () => {
            void shell.openPath(home);
          },
          { devTools },
        ),
      ),
    );
    const open = () => {
      mainWindow = createMainWindow(origin, path.join(__dirname, '../preload/index.js'), path.join(resourcesDir(), 'icons', 'icon.png'), devTools);
      mainWindow.on('closed', () => (mainWindow = null));
    };
    open();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) open();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Jobs may hold qemu processes and the database; stop them before the process goes away.
  let closed = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    closed = true;
    unforward();
    unregister();
    void engine.close().finally(() => app.quit());
  });
}

// A second launch hands its arguments to the first window and exits.
if (app.requestSingleInstanceLock()) start();
else app.quit();
