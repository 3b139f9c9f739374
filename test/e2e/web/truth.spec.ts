import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, ROOT, test } from '../fixtures';
import { shoot } from '../shoot';

// A test that fails must read as failed everywhere: the status bar, the Build view's banner
// (with links to the failing checks and their lines), and the Builds table's Test column.
test.use({ homeLabel: 'truth' });
test.describe.configure({ mode: 'serial' });

const FAILING = 'greeting says goodbye';
const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-e2e-truth-'));
test.afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

/** The sample as version 9.9.0 with one more check that cannot pass, and that check's line. */
function failingAppliance(): { dir: string; line: number } {
  const dir = path.join(parent, 'hello-web-failing');
  fs.cpSync(path.join(ROOT, 'resources/sample/hello-web'), dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
  const spec = path.join(dir, 'appliance.yaml');
  const lines = fs.readFileSync(spec, 'utf8').replace(/^version: .*$/m, 'version: 9.9.0').split('\n');
  const at = lines.findIndex((l) => l.startsWith('checks:')) + 1;
  lines.splice(at, 0, `  - { name: ${FAILING}, file: { path: /srv/www/index.html, contains: goodbye }, timeout: 8s }`);
  fs.writeFileSync(spec, lines.join('\n'));
  return { dir, line: at + 1 };
}

async function openFolder(app: Page, dir: string): Promise<void> {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Appliances' }).click();
  await app.getByRole('button', { name: 'Open appliance…' }).click();
  await app.getByRole('textbox', { name: 'Appliance folder' }).fill(dir);
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(app.getByRole('article', { name: /^Appliance / })).toBeVisible();
}

test('a path with no appliance in it is an error under the Open field, not an invalid appliance', async ({ app }) => {
  await app.getByRole('button', { name: 'Open appliance…' }).click();
  const box = app.getByRole('textbox', { name: 'Appliance folder' });
  await box.fill(path.join(parent, 'no-such-folder'));
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(box).toHaveAttribute('aria-invalid', 'true');
  await expect(app.getByRole('alert')).toContainText('not found');
  await expect(box).toHaveValue(path.join(parent, 'no-such-folder'));
  await expect(app.getByRole('region', { name: 'Validation errors' })).toHaveCount(0);
  await shoot(app, 'open-bad-path');
});

test('a failing test: the waiting check says what it saw, the banner links to it, the status bar says failed', async ({ app }) => {
  test.setTimeout(240_000);
  const failing = failingAppliance();
  await openFolder(app, failing.dir);
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  const checks = app.getByRole('list', { name: 'Checks' });
  const check = checks.getByRole('listitem').filter({ hasText: FAILING });
  // While it still waits, it already says what the last try saw, and where it is in the spec.
  await expect(check).toContainText('last seen:', { timeout: 120_000 });
  await expect(check).toContainText('waiting');
  await expect(check).toContainText(`appliance.yaml:${failing.line}`);
  // The browser cannot start an editor on this machine: it shows the line (the path on hover)
  // rather than a link that could do nothing; the desktop app's link opens the file there.
  await expect(check.getByText(`appliance.yaml:${failing.line}`)).toHaveAttribute('title', `${path.join(failing.dir, 'appliance.yaml')}, line ${failing.line}`);
  await expect(check.getByRole('button', { name: /appliance\.yaml/ })).toHaveCount(0);
  await shoot(app, 'check-waiting-last-seen');

  await expect(app.getByRole('status').filter({ hasText: 'Test: Failed' })).toBeVisible({ timeout: 120_000 });
  const footer = app.getByRole('contentinfo', { name: 'Status' });
  await expect(footer).toContainText(/Test hello-web-failing: failed/);
  await expect(footer).not.toContainText('succeeded');
  const banner = app.getByRole('alert').filter({ hasText: 'Test failed' });
  const link = banner.getByRole('link', { name: FAILING });
  await expect(link).toBeVisible();
  await expect(banner).toContainText(`appliance.yaml:${failing.line}`);
  await link.click();
  await expect(check).toBeFocused();
  await shoot(app, 'test-failed-banner');

  // Builds: the build built, its test failed, and the Test filter finds it.
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Builds' }).click();
  const table = app.getByRole('table', { name: 'Builds' });
  const row = table.getByRole('row').filter({ hasText: '9.9.0' });
  await expect(row).toHaveCount(1);
  await expect(row.getByRole('cell').nth(5)).toHaveText('succeeded');
  await expect(row.getByRole('cell').nth(6)).toHaveText('failed');
  const testFilter = app.getByRole('combobox', { name: 'Test' });
  await testFilter.selectOption('failed');
  await expect(table.getByRole('button', { name: /^Open build \d+$/ })).toHaveCount(1);
  await testFilter.selectOption('passed');
  await expect(row).toHaveCount(0);
  await testFilter.selectOption('');
  await row.getByRole('button', { name: /^Open build \d+$/ }).click();
  const details = app.getByRole('region', { name: /^Build \d+$/ });
  await expect(details).toContainText('test failed');
  await expect(details.getByRole('group', { name: 'Latest test run' })).toContainText('Latest test run: failed');
  await shoot(app, 'builds-test-failed', row);
});

test('after a reload the open appliance and its last run are still there', async ({ app }) => {
  const failing = failingAppliance();
  await openFolder(app, failing.dir);
  await app.getByRole('tab', { name: 'Build & test' }).click();
  // The previous test's run lives in that page's storage, not this one's: run a quick build here.
  await app.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(app.getByRole('status').filter({ hasText: 'Build: Succeeded' })).toBeVisible({ timeout: 120_000 });
  await app.reload();
  await expect(app.getByRole('article', { name: /^Appliance / }).or(app.getByRole('tabpanel', { name: 'Build and test' }))).toBeVisible();
  await expect(app.getByText('hello-web-failing').first()).toBeVisible();
  await expect(app.getByRole('status').filter({ hasText: 'Build: Succeeded' })).toBeVisible();
  await expect(app.getByRole('list', { name: 'Stages' }).getByRole('listitem').first()).toBeVisible();
  await expect(app.getByRole('log', { name: 'Build log' })).toContainText('stage ');
});
