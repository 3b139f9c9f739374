import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectAccessibleInBothThemes } from '../axe';
import { expect, ROOT, test } from '../fixtures';
import { shoot } from '../shoot';

// The appliance view of a Debian appliance: its base at a glance, and — on request, reading
// Debian's real archive — what `yoke build --refresh` would change in its appliance.lock.
test.use({ homeLabel: 'debian-refresh' });

const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-e2e-debian-refresh-'));
const dir = path.join(parent, 'notes-web');
fs.cpSync(path.join(ROOT, 'resources/sample/notes-web'), dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
// One version made older than anything the archive has: a refresh would upgrade it.
const lockFile = path.join(dir, 'appliance.lock');
fs.writeFileSync(lockFile, fs.readFileSync(lockFile, 'utf8').replace(/^( {2}- \{ name: sqlite3, version: ")[^"]+(")/m, '$10.1-1$2'));
test.afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

test('a Debian appliance shows its base and what a refresh would change', async ({ app }) => {
  test.setTimeout(180_000);
  const before = fs.readFileSync(lockFile, 'utf8');
  await app.getByRole('button', { name: 'Open appliance…' }).click();
  await app.getByRole('textbox', { name: 'Appliance folder' }).fill(dir);
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  const base = app.getByRole('region', { name: 'Debian base' });
  await expect(base).toContainText('Debian bookworm: nginx, sqlite3');
  await expect(base).toContainText('state on the data disk: /var/lib/notes');
  await expect(base).toContainText(/appliance\.lock pins \d+ packages\./);
  await base.getByRole('button', { name: 'What would a refresh change?' }).click();
  const table = base.getByRole('table', { name: 'What a refresh would change' });
  await expect(table).toBeVisible({ timeout: 120_000 });
  const sqlite = table.getByRole('row').filter({ has: app.getByRole('cell', { name: 'sqlite3', exact: true }) });
  await expect(sqlite).toContainText('upgraded');
  await expect(sqlite).toContainText('0.1-1');
  await expect(sqlite).toContainText(/3\.40\./);
  await expect(base.getByRole('status')).toContainText(/A refresh \(yoke build --refresh\) would change \d+ of \d+ locked packages/);
  expect(fs.readFileSync(lockFile, 'utf8')).toBe(before);
  await shoot(app, 'debian-refresh', base);
  await expectAccessibleInBothThemes(app);
});
