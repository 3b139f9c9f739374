import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expectAccessibleInBothThemes } from '../axe';
import { expect, ROOT, test } from '../fixtures';
import { shoot } from '../shoot';

// The Live switch: the same loop as `yoke dev`, in the app. An edit saved on disk shows up as a
// cycle naming the synced file and the restarted service, with the checks green, and the page
// served by the same VM changes.
test.use({ homeLabel: 'live' });


test('Live keeps one VM up and syncs a saved page into it, naming the file and the restarted service', async ({ app }) => {
  test.setTimeout(300_000);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-e2e-live-')), 'hello-web');
  fs.cpSync(path.join(ROOT, 'resources/sample/hello-web'), dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Appliances' }).click();
  await app.getByRole('button', { name: 'Open appliance…' }).click();
  await app.getByRole('textbox').first().fill(dir);
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(app.getByRole('article', { name: /Appliance hello-web/ })).toBeVisible();

  await app.getByRole('checkbox', { name: 'Live' }).check();
  const panel = app.getByRole('region', { name: 'Live' });
  await expect(panel.getByRole('status')).toHaveText('Live: Watching for changes', { timeout: 240_000 });
  await expect(panel).toContainText('Last change: passed', { timeout: 120_000 });
  const link = panel.getByRole('link', { name: /127\.0\.0\.1:\d+ → guest 80/ });
  const url = await link.getAttribute('href');

  const page = path.join(dir, 'rootfs/srv/www/index.html');
  fs.writeFileSync(page, fs.readFileSync(page, 'utf8').replace('hello', 'hello from the live loop'));
  await expect(panel).toContainText('Synced rootfs/srv/www/index.html; restarted web', { timeout: 60_000 });
  await expect(panel).toContainText('Last change: passed');
  await expect(panel).toContainText('diverged from a clean build');
  expect(await (await fetch(url!)).text()).toContain('hello from the live loop');
  await shoot(app, 'live', panel);
  await expectAccessibleInBothThemes(app);

  // The dev VM in the VMs list: its data disk can be saved from there.
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'VMs' }).click();
  await app.getByRole('button', { name: 'Save data…' }).first().click();
  const form = app.getByRole('form', { name: 'Save data disk' });
  await expect(form.getByLabel(/Save the data disk of hello-web/)).toHaveValue(/\.qcow2$/);
  await shoot(app, 'vms-save-data', form);
  await expectAccessibleInBothThemes(app);
  await form.getByRole('button', { name: 'Close' }).click();
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Appliances' }).click();
  await app.getByRole('tab', { name: 'Live' }).click();

  await app.getByRole('checkbox', { name: 'Live' }).uncheck();
  await expect(panel.getByRole('status')).toHaveText('Live: Off', { timeout: 60_000 });
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});
