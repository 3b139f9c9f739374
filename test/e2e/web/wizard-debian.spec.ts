import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectAccessibleInBothThemes } from '../axe';
import { expect, test } from '../fixtures';
import { shoot } from '../shoot';

// The wizard's Debian template: release, packages searched in the index Yoke keeps, state
// directories on the data disk — written into a valid appliance.yaml with base.userland: debian.
test.use({ homeLabel: 'wizard-debian' });

const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-e2e-wizard-debian-'));
const dir = path.join(parent, 'notes-db');
test.afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

/** A kept index as a Debian build leaves it: the archive's Packages.xz in its layout, and the names list. */
function keepIndex(home: string): void {
  const names = ['nginx', 'nginx-common', 'nginx-extras', 'sqlite3', 'sqlite3-tools', 'libsqlite3-0', 'postgresql', 'postgresql-15'];
  const mirror = path.join(home, 'cache', 'debian', 'mirrors', 'b'.repeat(24));
  const lists = path.join(mirror, 'deb.debian.org_debian', 'dists', 'bookworm', 'main', 'binary-amd64');
  fs.mkdirSync(lists, { recursive: true });
  fs.writeFileSync(path.join(lists, 'Packages'), names.map((n) => `Package: ${n}\nVersion: 1.0-1\nArchitecture: amd64\n`).join('\n'));
  execFileSync('xz', ['-z', path.join(lists, 'Packages')]);
  fs.writeFileSync(path.join(mirror, 'pool.json'), '{}');
  fs.writeFileSync(path.join(mirror, 'names.txt'), `${[...names].sort().join('\n')}\n`);
}

test('the wizard makes a Debian appliance: packages from the kept index, state on the data disk', async ({ app, served }) => {
  await app.getByRole('button', { name: 'New appliance…' }).click();
  const dialog = app.getByRole('dialog', { name: 'New appliance' });
  await dialog.getByRole('radio', { name: /Debian packages/ }).check();
  await expect(dialog.getByRole('list', { name: 'Steps' })).toContainText('Debian base');
  await dialog.getByRole('button', { name: 'Next' }).click();
  await dialog.getByRole('textbox', { name: 'Name' }).fill('notes-db');
  await dialog.getByRole('textbox', { name: 'Folder' }).fill(dir);
  await dialog.getByRole('button', { name: 'Next' }).click();

  // No Debian build on this machine yet: names are taken as typed.
  const search = dialog.getByRole('searchbox', { name: 'Search packages' });
  await expect(dialog.getByRole('combobox', { name: 'Debian release' })).toHaveValue('bookworm');
  await expect(dialog.getByRole('list', { name: 'Chosen packages' })).toContainText('nginx');
  await search.fill('sqlite');
  await expect(dialog.getByText(/No Debian index is kept on this machine yet/)).toBeVisible();

  // Once an index is kept, the search lists matches, the exact name first.
  keepIndex(served.home);
  await search.fill('sqlite3');
  const results = dialog.getByRole('list', { name: 'Matching packages' });
  await expect(results.getByRole('button').first()).toHaveText('Add sqlite3');
  await expect(results).toContainText('libsqlite3-0');
  await expect(dialog.getByText('Searching the 8 packages of Debian bookworm Yoke keeps.')).toBeVisible();
  await results.getByRole('button', { name: 'Add sqlite3', exact: true }).click();
  await expect(dialog.getByRole('list', { name: 'Chosen packages' }).getByRole('listitem')).toContainText(['nginx', 'sqlite3']);
  await search.fill('ngnix-typo');
  await expect(dialog.getByRole('status').filter({ hasText: 'No package of Debian bookworm is named like “ngnix-typo”.' })).toBeVisible();
  await search.fill('');

  const state = dialog.getByRole('textbox', { name: 'State directories on the data disk' });
  await state.fill('var/lib/notes');
  await expect(dialog.getByText('"var/lib/notes" is not an absolute guest path')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Next' })).toBeDisabled();
  await state.fill('/var/lib/notes');
  await search.fill('postgres');
  await expect(results.getByRole('button').first()).toHaveText('Add postgresql');
  await shoot(app, 'wizard-debian', dialog);
  await expectAccessibleInBothThemes(app);
  await search.fill('');

  await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(dialog.getByRole('textbox', { name: 'Service 1 command' })).toHaveValue("nginx -g 'daemon off;'");
  for (let i = 0; i < 3; i++) await dialog.getByRole('button', { name: 'Next' }).click();
  await expect(dialog.getByRole('checkbox', { name: '/var/www/html/index.html is in the image' })).toBeChecked();
  await dialog.getByRole('button', { name: 'Create appliance' }).click();
  await expect(dialog).toBeHidden();
  await expect(app.getByRole('article', { name: 'Appliance notes-db' }).getByText('valid', { exact: true })).toBeVisible();
  const text = fs.readFileSync(path.join(dir, 'appliance.yaml'), 'utf8');
  expect(text).toMatch(/userland: debian/);
  expect(text).toMatch(/release: bookworm/);
  expect(text).toMatch(/packages: \[ nginx, sqlite3 \]/);
  expect(text).toMatch(/state: \[ \/var\/lib\/notes \]/);
  expect(fs.readFileSync(path.join(dir, 'rootfs/var/www/html/index.html'), 'utf8')).toContain('hello from notes-db');
});
