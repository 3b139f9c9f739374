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
});
