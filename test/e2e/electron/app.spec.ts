import fs from 'node:fs';
import path from 'node:path';
import { _electron as electron, expect, test } from '@playwright/test';

const ROOT = path.resolve(__dirname, '../../..');
const ELECTRON_DIST = path.join(ROOT, 'node_modules/electron/dist');

test.describe('desktop app', () => {
  test.skip(
    !fs.existsSync(ELECTRON_DIST),
    'Electron binary not installed (node_modules/electron/dist is absent: installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1). ' +
      'Install it where it can be downloaded to run these tests.',
  );

  test('opens one hardened window whose page reaches the engine through window.yoke', async () => {
    const app = await electron.launch({ args: [path.join(ROOT, 'out/main/index.js')], env: { ...process.env, YOKE_HOME: fs.mkdtempSync('/tmp/yoke-e2e-electron-') } });
    try {
      const page = await app.firstWindow();
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Appliances' })).toBeVisible();
      expect(await page.evaluate(() => typeof (globalThis as unknown as { require?: unknown }).require)).toBe('undefined');
      const info = await page.evaluate(() => (globalThis as unknown as { yoke: { invoke(c: string, r: unknown): Promise<unknown> } }).yoke.invoke('app.info', {}));
      expect(info).toMatchObject({ ok: true, value: { face: 'electron' } });
      expect(app.windows()).toHaveLength(1);
    } finally {
      await app.close();
    }
  });

  test("a check's appliance.yaml line opens the file at that line in the user's editor ($VISUAL)", async () => {
    // A stand-in editor named `code` (so it is told the line VS Code's way) that writes down its arguments.
    const bin = fs.mkdtempSync('/tmp/yoke-e2e-editor-');
    const said = path.join(bin, 'args.txt');
    fs.writeFileSync(path.join(bin, 'code'), `#!/bin/sh\nprintf '%s\\n' "$@" > '${said}'\n`, { mode: 0o755 });
    const sample = path.join(ROOT, 'resources/sample/hello-web');
    const app = await electron.launch({
      args: [path.join(ROOT, 'out/main/index.js')],
      env: { ...process.env, VISUAL: path.join(bin, 'code'), YOKE_HOME: fs.mkdtempSync('/tmp/yoke-e2e-electron-') },
    });
    try {
      const page = await app.firstWindow();
      const r = await page.evaluate((dir) => (globalThis as unknown as { yoke: { invoke(c: string, r: unknown): Promise<unknown> } }).yoke.invoke('appliance.openSpec', { dir, line: 37 }), sample);
      expect(r).toEqual({ ok: true, value: { opened: 'editor', editor: 'code', atLine: true } });
      await expect.poll(() => (fs.existsSync(said) ? fs.readFileSync(said, 'utf8') : '')).toBe(`-g\n${sample}/appliance.yaml:37\n`);
    } finally {
      await app.close();
      fs.rmSync(bin, { recursive: true, force: true });
    }
  });
});
