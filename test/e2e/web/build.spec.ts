import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { expect, ROOT, screenshot, test } from '../fixtures';
import type { Page } from '@playwright/test';
import { shoot } from '../shoot';

const SAMPLE = path.join(ROOT, 'resources/sample/hello-web');
const sample = parse(fs.readFileSync(path.join(SAMPLE, 'appliance.yaml'), 'utf8')) as { name: string; version: string; checks: unknown[] };

// These tests share one `yoke serve` and its data directory, and build on each other:
// the build made by the first is listed, tested, booted and deleted by the next ones.
test.use({ homeLabel: 'builds' });
test.describe.configure({ mode: 'serial' });

async function openSample(app: Page): Promise<void> {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Appliances' }).click();
  await app.getByRole('button', { name: 'Open appliance…' }).click();
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(app.getByRole('article', { name: `Appliance ${sample.name}` })).toBeVisible();
}

async function openLatestBuild(app: Page): Promise<void> {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Builds' }).click();
  const table = app.getByRole('table', { name: 'Builds' });
  await expect(table.getByText('succeeded').first()).toBeVisible();
  await table.getByRole('button', { name: /^Open build \d+$/ }).first().click();
}

test('Build from the UI streams stages and log lines, then the build is in the history', async ({ app }) => {
  test.setTimeout(300_000);
  await openSample(app);
  await app.getByRole('button', { name: 'Build', exact: true }).click();
  const log = app.getByRole('log', { name: 'Build log' });
  await expect(log).toContainText(`build #`, { timeout: 30_000 });
  const stages = app.getByRole('list', { name: 'Stages' });
  await expect(stages.getByRole('listitem').first()).toBeVisible({ timeout: 60_000 });
  await expect(app.getByRole('button', { name: 'Cancel', exact: true })).toBeEnabled();
  await expect(app.getByRole('status').filter({ hasText: 'Build: Succeeded' })).toBeVisible({ timeout: 240_000 });
  await expect(log).toContainText('succeeded in');
  // The timeline holds every stage with a duration once builds.get has answered.
  expect(await stages.getByRole('listitem').count()).toBeGreaterThan(2);
  await expect(stages).toContainText(/\d+(\.\d+)? (ms|s)/);
  await expect(app.getByRole('button', { name: 'Cancel', exact: true })).toBeDisabled();

  // The level filter and the search narrow the log.
  await app.getByRole('radio', { name: 'Errors' }).click();
  await expect(log).not.toContainText('succeeded in');
  await app.getByRole('radio', { name: 'All' }).click();
  await app.getByRole('searchbox', { name: 'Search build log' }).fill('succeeded in');
  await expect(log.locator('mark').first()).toHaveText('succeeded in');
  await app.getByRole('searchbox', { name: 'Search build log' }).fill('');
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1024, height: 700 },
  ]) {
    await app.setViewportSize(viewport);
    await screenshot(app, 'build-view');
  }
  await app.emulateMedia({ colorScheme: 'dark' });
  await screenshot(app, 'build-view-dark');
  await app.emulateMedia({ colorScheme: 'light' });
  await app.setViewportSize({ width: 1280, height: 800 });

  await openLatestBuild(app);
  const table = app.getByRole('table', { name: 'Builds' });
  const row = table.getByRole('row').filter({ hasText: sample.name }).first();
  await expect(row).toContainText(sample.version);
  await expect(row).toContainText('succeeded');
  const artifacts = app.getByRole('table', { name: 'Artifacts' });
  await expect(artifacts).toContainText('qcow2');
  await expect(artifacts).toContainText('ova');
  await expect(artifacts.getByText(/^[0-9a-f]{64}$/).first()).toBeVisible();
  await expect(artifacts.getByRole('button', { name: /^Copy SHA-256 of / }).first()).toBeVisible();
  await screenshot(app, 'build-details');
  await app.getByRole('region', { name: /^Build \d+$/ }).getByRole('tab', { name: 'Log' }).click();
  await expect(app.getByRole('log', { name: /^Log of build \d+$/ })).toContainText('stage ');
  await app.getByRole('region', { name: /^Build \d+$/ }).getByRole('tab', { name: 'Summary' }).click();

  await app.getByRole('button', { name: 'Release', exact: true }).click();
  await expect(app.getByRole('button', { name: 'Unrelease', exact: true })).toBeVisible();
  await expect(row).toContainText('released');
  await app.getByRole('button', { name: 'Unrelease', exact: true }).click();
  await expect(app.getByRole('button', { name: 'Release', exact: true })).toBeVisible();
});

test('Test boots the build and every check turns passed', async ({ app }) => {
  test.setTimeout(300_000);
  await openSample(app);
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  const checks = app.getByRole('list', { name: 'Checks' });
  await expect(checks.getByRole('listitem').first()).toBeVisible({ timeout: 120_000 });
  await expect(app.getByRole('status').filter({ hasText: /Test: (Succeeded|Failed)/ })).toBeVisible({ timeout: 180_000 });
  await expect(checks.getByRole('listitem')).toHaveCount(sample.checks.length);
  for (const item of await checks.getByRole('listitem').all()) await expect(item).toContainText('passed');
  await expect(app.getByRole('status').filter({ hasText: 'Test: Succeeded' })).toBeVisible();
  // The VM's screen at the end of the test: the VGA console (720×400 text mode), not a blank boot banner.
  const screen = app.getByRole('img', { name: "The VM's screen at the end of the test" });
  await expect(screen).toBeVisible({ timeout: 30_000 });
  expect(await screen.evaluate((img: HTMLImageElement) => [img.naturalWidth, img.naturalHeight])).toEqual([720, 400]);
  await screenshot(app, 'test-checks');

  // The results are stored with the build.
  await openLatestBuild(app);
  const stored = app.getByRole('region', { name: /^Build \d+$/ }).getByRole('list', { name: 'Checks' });
  await expect(stored.getByRole('listitem')).toHaveCount(sample.checks.length);
});

test('Test on VMware hardware boots the OVA disks (pvscsi + vmxnet3) and every check passes', async ({ app }) => {
  test.setTimeout(300_000);
  await openSample(app);
  const pick = app.getByRole('combobox', { name: 'Test on hardware' });
  await expect(pick.getByRole('option', { name: 'vmware-pvscsi' })).toHaveCount(1);
  await pick.selectOption('vmware-pvscsi');
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(app.getByRole('log', { name: 'Build log' })).toContainText('hardware vmware-pvscsi', { timeout: 120_000 });
  const checks = app.getByRole('list', { name: 'Checks' });
  await expect(app.getByRole('status').filter({ hasText: /Test: (Succeeded|Failed)/ })).toBeVisible({ timeout: 240_000 });
  await expect(checks.getByRole('listitem')).toHaveCount(sample.checks.length);
  for (const item of await checks.getByRole('listitem').all()) await expect(item).toContainText('passed');
  await expect(app.getByRole('img', { name: "The VM's screen at the end of the test" })).toBeVisible({ timeout: 30_000 });
  await pick.selectOption('');
});

async function bootLatest(app: Page): Promise<void> {
  await openLatestBuild(app);
  await app.getByRole('button', { name: 'Boot', exact: true }).click();
  await expect(app.getByRole('heading', { level: 1, name: 'VMs' })).toBeVisible();
  await expect(app.getByRole('table', { name: 'Virtual machines' })).toContainText(sample.name, { timeout: 30_000 });
}

async function stopAll(app: Page): Promise<void> {
  await app.getByRole('tab', { name: /^Running/ }).click();
  const vms = app.getByRole('table', { name: 'Virtual machines' });
  await vms.getByRole('button', { name: 'Stop', exact: true }).first().click();
  await expect(app.getByText('No VMs running')).toBeVisible({ timeout: 60_000 });
}

test('Boot a build: its serial console streams into Terminal, keystrokes reach it, and it re-attaches', async ({ app }) => {
  test.setTimeout(240_000);
  await bootLatest(app);
  const vms = app.getByRole('table', { name: 'Virtual machines' });
  await expect(vms).toContainText('TCG is slower');
  await expect(vms.getByRole('link', { name: /^127\.0\.0\.1:\d+$/ })).toHaveAttribute('href', /^http:\/\/127\.0\.0\.1:\d+\/$/);
  await expect(vms).toContainText(/\d+(\.\d+)? s/);
  await screenshot(app, 'vms');
  // Its screen, as the hypervisor window would show it.
  await vms.getByRole('button', { name: 'Screen', exact: true }).click();
  await expect(app.getByRole('img', { name: /^The screen of / })).toBeVisible({ timeout: 30_000 });
  await screenshot(app, 'vm-screen');

  await vms.getByRole('button', { name: 'Terminal', exact: true }).click();
  const rows = app.locator('.xterm-rows');
  await expect(rows).toContainText('yoke: ready after', { timeout: 120_000 });
  // The guest's terminal echoes what it receives, so typed text coming back proves the round trip.
  await app.locator('.xterm-helper-textarea').focus();
  await app.keyboard.type('typed-through-yoke');
  await expect(rows).toContainText('typed-through-yoke');

  await app.getByRole('button', { name: /^Close terminal of / }).click();
  await expect(rows).toHaveCount(0);
  await vms.getByRole('button', { name: 'Terminal', exact: true }).click();
  // The backlog comes back on re-attach.
  await expect(rows).toContainText('yoke: ready after');
  await expect(rows).toContainText('typed-through-yoke');
  await screenshot(app, 'vm-terminal');
  await app.setViewportSize({ width: 1024, height: 700 });
  await app.emulateMedia({ colorScheme: 'dark' });
  await screenshot(app, 'vm-terminal-dark');
  await stopAll(app);
});

test('Build with nothing changed reuses the last build; Rebuild anyway is served from the cache; Delete asks first, then removes it', async ({ app }) => {
  test.setTimeout(180_000);
  await openSample(app);
  const history = app.getByRole('table', { name: 'Builds' }).getByRole('button', { name: /^Open build \d+$/ });
  const nav = app.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('button', { name: 'Builds' }).click();
  await expect(history.first()).toBeVisible();
  const before = await history.count();
  const newest = Number((await history.first().getAttribute('aria-label'))!.replace('Open build ', ''));
  await nav.getByRole('button', { name: 'Appliances' }).click();
  await app.getByRole('button', { name: 'Build', exact: true }).click();
  // Nothing changed since the newest build: it is reused, said so here and in the status bar.
  await expect(app.getByRole('status').filter({ hasText: `Build: No changes since #${newest}` })).toBeVisible({ timeout: 30_000 });
  await expect(app.getByRole('contentinfo', { name: 'Status' })).toContainText(`No changes since #${newest}`);
  await shoot(app, 'build-no-changes');
  await nav.getByRole('button', { name: 'Builds' }).click();
  await expect(history.first()).toBeVisible();
  await expect(history).toHaveCount(before);
  await nav.getByRole('button', { name: 'Appliances' }).click();
  await app.getByRole('tab', { name: 'Build & test' }).click();
  await app.getByRole('button', { name: 'Rebuild anyway' }).click();
  await expect(app.getByRole('status').filter({ hasText: 'Build: Succeeded' })).toBeVisible({ timeout: 120_000 });
  await expect(app.getByRole('list', { name: 'Stages' }).getByText('cached').first()).toBeVisible();

  await openLatestBuild(app);
  const details = app.getByRole('region', { name: /^Build \d+$/ });
  const id = (await details.getAttribute('aria-label'))!.replace('Build ', '');
  expect(Number(id)).toBeGreaterThan(1);
  await app.getByRole('button', { name: 'Delete', exact: true }).click();
  const confirm = app.getByRole('alertdialog', { name: `Delete build ${id}?` });
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Keep it' }).click();
  await expect(confirm).toHaveCount(0);
  await app.getByRole('button', { name: 'Delete', exact: true }).click();
  await app.getByRole('alertdialog').getByRole('button', { name: 'Delete build' }).click();
  await expect(app.getByRole('table', { name: 'Builds' }).getByRole('button', { name: `Open build ${id}` })).toHaveCount(0);
  await expect(details).toHaveCount(0);
  await expect(app.getByRole('table', { name: 'Builds' }).getByRole('button', { name: /^Open build \d+$/ })).toHaveCount(1);
});

test('A shell command typed into the Terminal runs in the guest', async ({ app }) => {
  test.setTimeout(240_000);
  await bootLatest(app);
  await app.getByRole('table', { name: 'Virtual machines' }).getByRole('button', { name: 'Terminal', exact: true }).click();
  const rows = app.locator('.xterm-rows');
  await expect(rows).toContainText('yoke: ready after', { timeout: 120_000 });
  await app.locator('.xterm-helper-textarea').focus();
  await app.keyboard.type('uname -a\n');
  await expect(rows).toContainText('Linux', { timeout: 20_000 });
  await app.keyboard.type('echo yoke-$((40+2))\n');
  await expect(rows).toContainText('yoke-42');
  await screenshot(app, 'vm-terminal-shell');
  await stopAll(app);
});
