import type { MenuItemConstructorOptions } from 'electron';

/**
 * The application menu: standard roles, plus a way to the data folder (logs, images, database).
 * DevTools only in development: in a packaged app they would hand anyone at the keyboard a
 * console inside the page that holds the engine's door (window.yoke).
 */
export function menuTemplate(platform: NodeJS.Platform, showDataFolder: () => void, opts: { devTools?: boolean } = {}): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' as const }] : []),
    { label: '&File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    {
      label: '&View',
      submenu: [
        { role: 'reload' },
        ...(opts.devTools ? [{ role: 'toggleDevTools' as const }] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ label: 'Show Data Folder', click: showDataFolder }] },
  ];
}
