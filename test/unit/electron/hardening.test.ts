// Issue 15 item 15, the Electron checklist, checked from the code (Electron's binary is not
// installed here): the UI through a custom protocol rather than file://, the fuses set in the
// packaging configuration, and no DevTools entry in production menus.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { APP_INDEX_URL, APP_SCHEME_PRIVILEGES, appFileFor, registerAppProtocol } from '../../../src-main/electron/app-protocol';
import { menuTemplate } from '../../../src-main/electron/menu';

const ROOT = path.resolve(__dirname, '../../..');

describe('the app:// protocol', () => {
  const dir = path.resolve('/opt/Yoke/out/renderer');

  it('maps app://yoke/ URLs to files of the renderer folder only', () => {
    expect(APP_INDEX_URL).toBe('app://yoke/index.html');
    expect(appFileFor('app://yoke/', dir)).toBe(path.join(dir, 'index.html'));
    expect(appFileFor('app://yoke/assets/index-abc.js', dir)).toBe(path.join(dir, 'assets/index-abc.js'));
    expect(appFileFor('app://yoke/assets/a%20b.css', dir)).toBe(path.join(dir, 'assets/a b.css'));
    // Climbing out is impossible: URL parsing folds dots, and an encoded "../" is caught after decoding.
    for (const climb of ['app://yoke/../../etc/passwd', 'app://yoke/%2e%2e/%2e%2e/etc/passwd', 'app://yoke/..%2f..%2fetc/passwd', 'app://yoke/assets/..%2F..%2F..%2Fetc%2Fpasswd']) {
      const f = appFileFor(climb, dir);
      expect(f === null || f.startsWith(dir + path.sep), `${climb} -> ${f}`).toBe(true);
    }
    for (const bad of ['app://other/index.html', 'file:///etc/passwd', 'app://yoke/%00x', 'app://yoke/%E0%A4%A', 'nonsense']) {
      expect(appFileFor(bad, dir), bad).toBeNull();
    }
  });

  it('is a standard, secure scheme, and the handler serves files through net.fetch or 404', async () => {
    expect(APP_SCHEME_PRIVILEGES).toEqual({ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } });
    const ui = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-ui-'));
    fs.writeFileSync(path.join(ui, 'index.html'), '<title>Yoke</title>');
    let handler: ((req: { url: string }) => Response | Promise<Response>) | undefined;
    const fetched: string[] = [];
    registerAppProtocol(
      { handle: (scheme, h) => (expect(scheme).toBe('app'), (handler = h)) },
      { fetch: async (url) => (fetched.push(url), new Response(fs.readFileSync(new URL(url)))) },
      ui,
    );
    expect(await (await handler!({ url: 'app://yoke/index.html' })).text()).toBe('<title>Yoke</title>');
    expect(fetched).toEqual([pathToFileURL(path.join(ui, 'index.html')).href]);
    expect((await handler!({ url: 'app://other/index.html' })).status).toBe(404);
    expect((await handler!({ url: 'app://yoke/..%2F..%2Fsecret' })).status).toBe(404);
    fs.rmSync(ui, { recursive: true });
  });

  it('is what the window loads, never a file', () => {
    const window = fs.readFileSync(path.join(ROOT, 'src-main/electron/window.ts'), 'utf8');
    expect(window).toContain('loadURL(APP_INDEX_URL)');
    expect(window).not.toMatch(/loadFile\(/);
    const main = fs.readFileSync(path.join(ROOT, 'src-main/electron/main.ts'), 'utf8');
    expect(main).toContain('protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES])');
    expect(main).toMatch(/registerAppProtocol\(protocol, net, /);
  });
});

describe('packaging', () => {
  it('sets the Electron fuses: no RunAsNode, NODE_OPTIONS, inspect or file:// privileges; asar integrity on', () => {
    const cfg = parse(fs.readFileSync(path.join(ROOT, 'build/electron-builder.yml'), 'utf8')) as { electronFuses?: Record<string, boolean> };
    expect(cfg.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      grantFileProtocolExtraPrivileges: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });
});

describe('menus', () => {
  const roles = (devTools?: boolean) => JSON.stringify(menuTemplate('linux', () => undefined, devTools === undefined ? undefined : { devTools }));
  it('have no DevTools entry in production, and one in development', () => {
    expect(roles()).not.toContain('toggleDevTools');
    expect(roles(false)).not.toContain('toggleDevTools');
    expect(roles(true)).toContain('toggleDevTools');
    const main = fs.readFileSync(path.join(ROOT, 'src-main/electron/main.ts'), 'utf8');
    expect(main).toContain('const devTools = !app.isPackaged;');
  });
});
