import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, screenshot, test } from '../fixtures';

// One `yoke serve` for the file: the appliance the wizard makes is built, then edited on disk.
test.use({ homeLabel: 'wizard' });
test.describe.configure({ mode: 'serial' });

const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-e2e-wizard-'));
const dir = path.join(parent, 'shop-web');
const specFile = path.join(dir, 'appliance.yaml');
test.afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

test('the New appliance wizard checks fields as they are typed and writes a valid, commented appliance', async ({ app }) => {
  await app.getByRole('button', { name: 'New appliance…' }).click();
  const dialog = app.getByRole('dialog', { name: 'New appliance' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('radio', { name: /Web service/ })).toBeChecked();
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1024, height: 700 },
  ]) {
    await app.setViewportSize(viewport);
    await screenshot(app, 'wizard-template');
  }
  await app.setViewportSize({ width: 1280, height: 800 });
  await dialog.getByRole('button', { name: 'Next' }).click();

  const name = dialog.getByRole('textbox', { name: 'Name' });
  await name.fill('Shop Web');
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(dialog.getByText('Lower-case letters, digits and dashes, starting')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeDisabled();
  await name.fill('shop-web');
  await dialog.getByRole('textbox', { name: 'Version' }).fill('1.0');
  await expect(dialog.getByText('A semantic version: MAJOR.MINOR.PATCH')).toBeVisible();
  await screenshot(app, 'wizard-name-errors');
  await dialog.getByRole('textbox', { name: 'Version' }).fill('1.2.0');
  await dialog.getByRole('textbox', { name: 'Folder' }).fill(dir);
  await dialog.getByRole('button', { name: 'Next' }).click();

  await expect(dialog.getByRole('textbox', { name: 'Service 1 command' })).toHaveValue('httpd -f -p 80 -h /srv/www');
  await dialog.getByRole('textbox', { name: 'Guest port 1' }).fill('99999');
  await expect(dialog.getByText('A TCP port is a whole number from 1 to 65535.')).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Guest port 1' }).fill('80');
  await dialog.getByRole('button', { name: 'Next' }).click();

  await dialog.getByRole('textbox', { name: 'Data disk size' }).fill('64Q');
  await expect(dialog.getByText('A size is a number and a unit')).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Data disk size' }).fill('32M');
  await app.emulateMedia({ colorScheme: 'light' });
  await screenshot(app, 'wizard-disks-light');
  await app.emulateMedia({ colorScheme: 'dark' });
  await dialog.getByRole('button', { name: 'Next' }).click();

  await dialog.getByRole('checkbox', { name: /vdi/ }).check();
  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(dialog.getByRole('checkbox', { name: 'Service web is running' })).toBeChecked();
  await expect(dialog.getByRole('checkbox', { name: /answers 200/ })).toBeChecked();
  // The check editor draws each kind's fields from the engine's registry (checks.kinds).
  const editor = dialog.getByRole('group', { name: 'Add a check' });
  await editor.getByRole('combobox', { name: 'Add a check' }).selectOption('command');
  await editor.getByRole('button', { name: 'Add check' }).click();
  await expect(editor.getByText('Command line is required.')).toBeVisible();
  await editor.getByRole('textbox', { name: 'Command line', exact: true }).fill('test -s /srv/www/index.html');
  await editor.getByRole('textbox', { name: 'Exit code (optional)' }).fill('zero');
  await editor.getByRole('button', { name: 'Add check' }).click();
  await expect(editor.getByText('Exit code is a number.')).toBeVisible();
  await editor.getByRole('textbox', { name: 'Exit code (optional)' }).fill('0');
  await editor.getByRole('button', { name: 'Add check' }).click();
  await expect(dialog.getByText('command: run test -s /srv/www/index.html, exit-code 0')).toBeVisible();
  await screenshot(app, 'wizard-checks');
  await dialog.getByRole('button', { name: 'Create appliance' }).click();

  await expect(dialog).toBeHidden();
  const article = app.getByRole('article', { name: 'Appliance shop-web' });
  await expect(article).toBeVisible();
  await expect(article.getByText('valid', { exact: true })).toBeVisible();
  const text = fs.readFileSync(specFile, 'utf8');
  expect(text).toMatch(/^# appliance\.yaml for shop-web/);
  expect(text).toContain('version: 1.2.0');
  expect(text).toContain('outputs: [ raw, qcow2, vdi, ova ]'); // written by the YAML library (issue 15 item 1)
  expect(text).toMatch(/data: \{ size: 32M, label: data, mount: \/data \}\s+# /);
  expect(text).toContain('  - command: { run: test -s /srv/www/index.html, exit-code: 0 }\n');
  expect(fs.readFileSync(path.join(dir, 'rootfs/srv/www/index.html'), 'utf8')).toContain('hello from shop-web');
  await screenshot(app, 'wizard-created');

  // The wizard refuses to write over it.
  await app.getByRole('button', { name: 'New appliance…' }).click();
  await dialog.getByRole('button', { name: 'Checks' }).click();
  await dialog.getByRole('button', { name: 'Name and version' }).click();
  await dialog.getByRole('textbox', { name: 'Folder' }).fill(dir);
  await dialog.getByRole('button', { name: 'Checks' }).click();
  await dialog.getByRole('button', { name: 'Create appliance' }).click();
  await expect(dialog.getByRole('alert')).toContainText('already exists; Yoke never overwrites an appliance');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  expect(fs.readFileSync(specFile, 'utf8')).toBe(text);
});

test('the new appliance builds', async ({ app }) => {
  test.setTimeout(180_000);
  await app.getByRole('button', { name: /^Open shop-web/ }).click();
  await app.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(app.getByRole('status').filter({ hasText: 'Build: Succeeded' })).toBeVisible({ timeout: 150_000 });
});

test('a typo saved in appliance.yaml shows at its line within seconds, and build on save starts a run once fixed', async ({ app }) => {
  test.setTimeout(120_000);
  await app.getByRole('button', { name: /^Open shop-web/ }).click();
  await expect(app.getByRole('article', { name: 'Appliance shop-web' })).toBeVisible();
  const good = fs.readFileSync(specFile, 'utf8');
  const line = good.split('\n').findIndex((l) => l.startsWith('  memory:')) + 1;
  fs.writeFileSync(specFile, good.replace('  memory:', '  memroy:'));
  const errors = app.getByRole('region', { name: 'Validation errors' });
  await expect(errors).toContainText(`appliance.yaml:${line}:3`, { timeout: 5_000 });
  await expect(errors).toContainText('memroy');
  await screenshot(app, 'watch-error');

  await app.getByRole('checkbox', { name: 'Build on save' }).check();
  fs.writeFileSync(specFile, good);
  await expect(errors).toBeHidden({ timeout: 5_000 });
  // The valid save starts build + test on its own.
  await expect(app.getByRole('status').filter({ hasText: /^Test/ })).toBeVisible({ timeout: 10_000 });
  await expect(app.getByRole('log', { name: 'Build log' })).toContainText('build #', { timeout: 30_000 });
  await app.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(app.getByRole('status').filter({ hasText: /Test: Cancelled/ })).toBeVisible({ timeout: 30_000 });
  await app.getByRole('checkbox', { name: 'Build on save' }).uncheck();
});
