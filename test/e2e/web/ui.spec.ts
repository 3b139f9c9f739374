import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { expect, ROOT, screenshot, test } from '../fixtures';

const SAMPLE = path.join(ROOT, 'resources/sample/hello-web');
const sample = parse(fs.readFileSync(path.join(SAMPLE, 'appliance.yaml'), 'utf8')) as { name: string; version: string };
const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1024, height: 700 },
];

/** A copy of the sample with one misspelt key, and the line it is on. */
function brokenAppliance(): { dir: string; line: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-e2e-broken-'));
  const lines = fs.readFileSync(path.join(SAMPLE, 'appliance.yaml'), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.startsWith('description:'));
  lines[index] = lines[index].replace('description:', 'descripton:');
  fs.writeFileSync(path.join(dir, 'appliance.yaml'), lines.join('\n'));
  fs.cpSync(path.join(SAMPLE, 'rootfs'), path.join(dir, 'rootfs'), { recursive: true });
  return { dir, line: index + 1 };
}

test('the navigation names every screen and switches between them', async ({ app }) => {
  const nav = app.getByRole('navigation', { name: 'Main' });
  for (const name of ['Appliances', 'Builds', 'VMs', 'Settings']) {
    await nav.getByRole('button', { name }).click();
    await expect(app.getByRole('heading', { level: 1, name })).toBeVisible();
    await expect(nav.getByRole('button', { name })).toHaveAttribute('aria-current', 'page');
  }
  await app.keyboard.press('Alt+2');
  await expect(app.getByRole('heading', { level: 1, name: 'Builds' })).toBeVisible();
  await expect(app.getByRole('table', { name: 'Builds' })).toBeVisible();
  await expect(app.getByText('No builds yet')).toBeVisible();
  await nav.getByRole('button', { name: 'VMs' }).click();
  await expect(app.getByText(/No VMs running|Could not list VMs/)).toBeVisible();
});

test('the token leaves the address bar, and a reload stays signed in through the cookie', async ({ app, served }) => {
  expect(app.url()).not.toContain('token=');
  await app.reload();
  await expect(app.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
  await expect(app.getByText(`${served.home} · v`)).toBeVisible();
});

// Issue 15 item 8: the token URL stayed in the browser's history and kept working.
test('the printed URL works once: opened again in a fresh browser it signs nobody in', async ({ app, served, browser }) => {
  expect(app.url()).not.toContain('token=');
  const fresh = await browser.newContext();
  const page = await fresh.newPage();
  const r = await page.goto(served.url);
  expect(r?.status()).toBe(401);
  await expect(page.getByText(/this sign-in link was already used/)).toBeVisible();
  await fresh.close();
});

test('opening the sample through the Appliance folder box shows its summary', async ({ app }) => {
  await app.getByRole('button', { name: 'Open appliance…' }).click();
  const box = app.getByRole('textbox', { name: 'Appliance folder' });
  await expect(box).toHaveValue(/resources\/sample\/hello-web$/);
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  const summary = app.getByRole('article', { name: `Appliance ${sample.name}` });
  await expect(summary.getByRole('heading', { name: sample.name })).toBeVisible();
  await expect(summary.getByText(sample.version, { exact: true })).toBeVisible();
  await expect(summary.getByText('valid', { exact: true })).toBeVisible();
  await expect(summary.getByRole('table', { name: 'Services' })).toContainText('httpd -f -p 80');
  await expect(app.getByRole('button', { name: 'Build', exact: true })).toBeVisible();
  await expect(app.getByRole('tab', { name: 'Build & test' })).toBeVisible();
  // Opening it made it a recent appliance.
  await expect(app.getByRole('button', { name: new RegExp(`^Open ${sample.name} `) })).toBeVisible();
});

test('a misspelt key shows as an error with its line number', async ({ app }) => {
  const broken = brokenAppliance();
  try {
    await app.getByRole('button', { name: 'Open appliance…' }).click();
    await app.getByRole('textbox', { name: 'Appliance folder' }).fill(broken.dir);
    await app.getByRole('button', { name: 'Open', exact: true }).click();
    const errors = app.getByRole('region', { name: 'Validation errors' });
    await expect(errors).toBeVisible();
    await expect(errors).toContainText(`appliance.yaml:${broken.line}:1`);
    await expect(errors).toContainText('descripton');
    await expect(app.getByText('invalid', { exact: true })).toBeVisible();
    for (const viewport of VIEWPORTS) {
      await app.setViewportSize(viewport);
      await screenshot(app, 'appliance-errors');
    }
  } finally {
    fs.rmSync(broken.dir, { recursive: true, force: true });
  }
});

test('Settings shows the doctor report: tools, the accelerator and the data directory', async ({ app, served }) => {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Settings' }).click();
  await expect(app.getByText(/KVM: \w+, using tcg — /)).toBeVisible({ timeout: 30_000 });
  const tools = app.getByRole('table', { name: 'Tools' });
  await expect(tools).toContainText('qemu-system-x86_64');
  await expect(tools.getByText(/^(found|missing)$/).first()).toBeVisible();
  await expect(app.getByText(served.home, { exact: true }).first()).toBeVisible();
});

test('every screen fits at 1280×800 and 1024×700 (screenshots)', async ({ app }) => {
  const nav = app.getByRole('navigation', { name: 'Main' });
  await app.getByRole('button', { name: 'Open appliance…' }).click();
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(app.getByRole('article', { name: `Appliance ${sample.name}` })).toBeVisible();
  for (const viewport of VIEWPORTS) {
    await app.setViewportSize(viewport);
    for (const [name, ready] of [
      ['Appliances', 'Services'],
      ['Builds', 'No builds yet'],
      ['VMs', /No VMs running|Could not list VMs/],
      ['Settings', /using tcg/],
    ] as const) {
      await nav.getByRole('button', { name }).click();
      await expect(app.getByText(ready).first()).toBeVisible({ timeout: 30_000 });
      // Nothing may force a horizontal scrollbar on the page.
      const overflow = await app.evaluate(() => {
        // Runs in the page; the Node-side type checker has no DOM types.
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      expect(overflow, `${name} at ${viewport.width}x${viewport.height}`).toBeLessThanOrEqual(0);
      await screenshot(app, name.toLowerCase());
    }
  }
  // The dark theme follows the system setting.
  await app.emulateMedia({ colorScheme: 'dark' });
  for (const [name, ready] of [
    ['Appliances', 'Services'],
    ['Settings', /using tcg/],
  ] as const) {
    await nav.getByRole('button', { name }).click();
    await expect(app.getByText(ready).first()).toBeVisible({ timeout: 30_000 });
    await screenshot(app, `${name.toLowerCase()}-dark`);
  }
});
