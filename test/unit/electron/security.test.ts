import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appOrigin, isAllowedExternal, isAppUrl, permissionCheckHandler, permissionRequestHandler, windowOptions } from '../../../src-main/electron/security';

const index = path.resolve('/opt/Yoke/resources/app/out/renderer/index.html');
const built = { indexFile: index };
const dev = { indexFile: index, devUrl: 'http://localhost:5173/' };

describe('windowOptions', () => {
  it('isolates the page from Node and the preload', () => {
    const o = windowOptions('/app/out/preload/index.js');
    expect(o.webPreferences).toMatchObject({
      preload: '/app/out/preload/index.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('has no DevTools unless asked for (development)', () => {
    expect(windowOptions('/p.js').webPreferences?.devTools).toBe(false);
    expect(windowOptions('/p.js', undefined, { devTools: true }).webPreferences?.devTools).toBe(true);
  });

  it('never opens smaller than the layout was designed for', () => {
    const o = windowOptions('/p.js');
    expect(o.minWidth).toBeGreaterThanOrEqual(1024);
    expect(o.minHeight).toBeGreaterThanOrEqual(700);
  });
});

describe('isAppUrl', () => {
  // Issue 15 item 15: the UI comes through the app:// protocol; file:// is never the app.
  it('accepts only app://yoke/index.html, never file://', () => {
    expect(isAppUrl('app://yoke/index.html', built)).toBe(true);
    expect(isAppUrl('app://yoke/index.html#/builds', built)).toBe(true);
    expect(isAppUrl('app://yoke/other.html', built)).toBe(false);
    expect(isAppUrl('app://evil/index.html', built)).toBe(false);
    expect(isAppUrl(pathToFileURL(index).href, built)).toBe(false);
    expect(isAppUrl(pathToFileURL('/etc/passwd').href, built)).toBe(false);
  });

  it('accepts the dev server only when running under it', () => {
    expect(isAppUrl('http://localhost:5173/', built)).toBe(false);
    expect(isAppUrl('http://localhost:5173/index.html', dev)).toBe(true);
    expect(isAppUrl('http://localhost:5174/', dev)).toBe(false);
    expect(isAppUrl('https://example.com/', dev)).toBe(false);
  });

  it('refuses garbage', () => {
    expect(isAppUrl('not a url', dev)).toBe(false);
    expect(isAppUrl('', dev)).toBe(false);
  });

  it('finds the renderer next to the main bundle and the dev URL in the environment', () => {
    expect(appOrigin('/x/out/main', {})).toEqual({ indexFile: path.resolve('/x/out/renderer/index.html'), devUrl: undefined });
    expect(appOrigin('/x/out/main', { ELECTRON_RENDERER_URL: 'http://localhost:5173' }).devUrl).toBe('http://localhost:5173');
  });
});

describe('isAllowedExternal', () => {
  it('lets only https links out to the system browser', () => {
    expect(isAllowedExternal('https://www.debian.org/')).toBe(true);
    for (const url of ['http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'ms-msdt:foo', 'https://user:pw@example.com/', 'nonsense']) {
      expect(isAllowedExternal(url), url).toBe(false);
    }
  });
});

describe('permissions', () => {
  it('refuses every request and check', () => {
    const answers: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal']) permissionRequestHandler(null, p, (g) => answers.push(g));
    expect(answers).toEqual([false, false, false, false, false]);
    expect(permissionCheckHandler()).toBe(false);
  });
});
