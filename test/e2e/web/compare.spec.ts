import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, ROOT, screenshot, test } from '../fixtures';

// Two builds of a copy of the sample, the second after a change to index.html, then compared.
test.use({ homeLabel: 'compare' });
test.describe.configure({ mode: 'serial' });

const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-e2e-compare-'));
const dir = path.join(parent, 'hello-web');
fs.cpSync(path.join(ROOT, 'resources/sample/hello-web'), dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
test.afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

async function build(app: Page): Promise<void> {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Appliances' }).click();
  await app.getByRole('button', { name: 'Open appliance…' }).click();
  await app.getByRole('textbox', { name: 'Appliance folder' }).fill(dir);
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  await app.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(app.getByRole('status').filter({ hasText: 'Build: Succeeded' })).toBeVisible({ timeout: 150_000 });
}

test('comparing two builds lists the changed file, sizes by directory, timings and history', async ({ app }) => {
  test.setTimeout(400_000);
  await build(app);
  const page = path.join(dir, 'rootfs/srv/www/index.html');
  fs.writeFileSync(page, fs.readFileSync(page, 'utf8') + '<p>hello again, with a longer page</p>\n');
  fs.writeFileSync(path.join(dir, 'rootfs/srv/www/new.txt'), 'new file\n');
  await build(app);

  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Builds' }).click();
  const table = app.getByRole('table', { name: 'Builds' });
  const compare = app.getByRole('button', { name: 'Compare', exact: true });
  await expect(compare).toBeDisabled();
  const boxes = table.getByRole('checkbox', { name: /^Select build \d+ to compare$/ });
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await compare.click();

  await expect(app.getByRole('heading', { name: /^Compare #\d+ and #\d+$/ })).toBeVisible();
  const files = app.getByRole('table', { name: 'Changed files' });
  await expect(files).toBeVisible({ timeout: 30_000 });
  await expect(files.getByRole('row').filter({ hasText: '/srv/www/index.html' })).toContainText('changed');
  await expect(files.getByRole('row').filter({ hasText: '/srv/www/new.txt' })).toContainText('added');
  await expect(app.getByRole('img', { name: /^Rootfs of build \d+ by directory$/ }).first()).toBeVisible();
  await expect(app.getByRole('table', { name: 'Stage timings' })).toContainText('rootfs');
  await expect(app.getByRole('img', { name: 'Build time across 2 builds' })).toBeVisible();
  await expect(app.getByRole('img', { name: 'Image size across 2 builds' })).toBeVisible();
  await expect(app.getByRole('region', { name: 'Spec diff' })).toContainText('name: hello-web');
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1024, height: 700 },
  ]) {
    await app.setViewportSize(viewport);
    await screenshot(app, 'compare');
  }
  await app.emulateMedia({ colorScheme: 'dark' });
  await screenshot(app, 'compare-dark');
  await app.getByRole('button', { name: 'Back to builds' }).click();
  await expect(table).toBeVisible();

  // Present mode: the build boots as a throwaway snapshot with its link shown big; Reset boots it afresh.
  await table.getByRole('button', { name: /^Open build \d+$/ }).first().click();
  await app.getByRole('button', { name: 'Present', exact: true }).click();
  const present = app.getByRole('dialog', { name: 'Present mode' });
  const link = present.getByRole('link', { name: /^http:\/\/127\.0\.0\.1:\d+\/$/ });
  await expect(link).toBeVisible({ timeout: 60_000 });
  await screenshot(app, 'present');
  const before = await link.textContent();
  await present.getByRole('button', { name: 'Reset' }).click();
  await expect(present.getByRole('status')).toContainText(/Resetting|Booting/);
  await expect(link).toBeVisible({ timeout: 60_000 });
  expect(await link.textContent()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect(before).toBeTruthy();
  await present.getByRole('button', { name: 'Exit' }).click();
  await expect(present).toBeHidden();
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'VMs' }).click();
  await expect(app.getByText('No VMs running')).toBeVisible({ timeout: 30_000 });
});
