import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test as base, expect, type Cookie, type Page } from '@playwright/test';

export const ROOT = path.resolve(__dirname, '../..');
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

export interface Served {
  /** The URL `yoke serve` printed, token included (it works once). */
  url: string;
  home: string;
  /** The session cookie the first page got for the printed URL; later pages of the worker reuse it. */
  cookies?: Cookie[];
}

/** Starts the real `yoke serve` as a child process and reads the URL from its first stdout line. */
async function startServe(home: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/yoke.js'), 'serve', '--port', '0', '--home', home], {
    cwd: ROOT,
    env: { ...process.env, YOKE_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`yoke serve printed no URL within 20 s; stderr:\n${stderr}`)), 20_000);
    child.stdout!.on('data', (d) => {
      stdout += String(d);
      const m = /^Yoke is serving on (http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)\n/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`yoke serve exited with ${code} before printing its URL; stderr:\n${stderr}`));
    });
  });
  return { child, url };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

export const test = base.extend<{ app: Page }, { served: Served; homeLabel: string }>({
  // A file that sets its own home (`test.use({ homeLabel: 'builds' })`) runs in its own worker with
  // its own `yoke serve` and data directory, so its builds do not show up in other files.
  homeLabel: ['default', { scope: 'worker', option: true }],
  served: [
    async ({ homeLabel: label }, use) => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), `yoke-e2e-${label}-`));
      const { child, url } = await startServe(home);
      await use({ url, home });
      await stop(child);
      fs.rmSync(home, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  /** The app, loaded and connected. */
  app: async ({ page, served }, use) => {
    // A CSP violation or a script error shows up as a console error; none is acceptable.
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    // The printed URL's token works once: the first page signs in with it, the others bring its cookie.
    if (served.cookies) {
      await page.context().addCookies(served.cookies);
      await page.goto(new URL('/', served.url).href);
    } else {
      await page.goto(served.url);
      served.cookies = await page.context().cookies();
    }
    await expect(page.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
    await use(page);
    expect(errors).toEqual([]);
  },
});

export { expect };

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize();
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size?.width}x${size?.height}.png`) });
}
