import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expectAccessibleInBothThemes } from '../axe';
import { expect, ROOT, screenshot, test } from '../fixtures';

// The sample built as 1.0.0 and, from a copy, as 1.1.0, both with the CLI into this file's own
// home (the one `yoke serve` reads); then 1.0.0 is released and upgraded to 1.1.0 from the screen.
test.use({ homeLabel: 'upgrades' });
test.describe.configure({ mode: 'serial' });

const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-e2e-upgrades-'));
test.afterAll(() => fs.rmSync(parent, { recursive: true, force: true }));

function copySample(version: string): string {
  const dir = path.join(parent, version, 'hello-web');
  fs.cpSync(path.join(ROOT, 'resources/sample/hello-web'), dir, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
  const spec = path.join(dir, 'appliance.yaml');
  fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace(/^version: .*$/m, `version: ${version}`));
  return dir;
}

function buildWithCli(dir: string, home: string): void {
  execFileSync(process.execPath, [path.join(ROOT, 'bin/yoke.js'), 'build', dir, '--home', home, '--output', 'raw'], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
}

async function openUpgrades(app: Page): Promise<void> {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Upgrades' }).click();
  await expect(app.getByRole('heading', { level: 1, name: 'Upgrades' })).toBeVisible();
}

/** Screenshots at both sizes and in the dark theme, with `focus` scrolled into view each time. */
async function shoot(app: Page, name: string, focus?: Locator): Promise<void> {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 1024, height: 700 },
  ]) {
    await app.setViewportSize(viewport);
    await focus?.scrollIntoViewIfNeeded();
    await screenshot(app, name);
  }
  await app.emulateMedia({ colorScheme: 'dark' });
  await focus?.scrollIntoViewIfNeeded();
  await screenshot(app, `${name}-dark`);
  await app.emulateMedia({ colorScheme: 'light' });
  await app.setViewportSize({ width: 1280, height: 800 });
}

test('before any build, Upgrades explains what it needs', async ({ app }) => {
  await openUpgrades(app);
  await expect(app.getByText('No appliance yet')).toBeVisible();
  await expect(app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Upgrades' })).toHaveAttribute('aria-current', 'page');
});

test('release 1.0.0, run the missing cell against 1.1.0, and read its phases and both consoles', async ({ app, served }) => {
  test.setTimeout(420_000);
  buildWithCli(copySample('1.0.0'), served.home);
  buildWithCli(copySample('1.1.0'), served.home);
  await app.reload();
  await openUpgrades(app);

  // Nothing released yet: the screen says how to release, and the candidate is the newest build.
  await expect(app.getByText('No released builds of hello-web')).toBeVisible();
  await expect(app.getByText(/Builds → select a build → Release/)).toBeVisible();
  const candidate = app.getByRole('combobox', { name: 'Candidate' });
  await expect(candidate.locator('option:checked')).toHaveText(/1\.1\.0/);
  await shoot(app, 'upgrades-empty');

  // Release 1.0.0 from here: pick it as the candidate, Release, then back to 1.1.0.
  await candidate.selectOption({ label: '#1 1.0.0' });
  await app.getByRole('button', { name: 'Release', exact: true }).click();
  await expect(app.getByRole('button', { name: 'Unrelease', exact: true })).toBeVisible();
  await candidate.selectOption({ label: '#2 1.1.0' });
  await expect(app.getByRole('button', { name: 'Release', exact: true })).toBeVisible();

  const matrix = app.getByRole('table', { name: 'Upgrade matrix' });
  await expect(matrix.getByRole('rowheader')).toHaveText([/1\.0\.0\s*#1/]);
  const cell = matrix.getByRole('button', { name: '#1 1.0.0 → #2 1.1.0: not run' });
  await expect(cell).toHaveText('not run');
  // 1.0.0 is not a column: no released build is older than it, so it would be all dashes.
  await expect(matrix.getByRole('columnheader')).toHaveText(['Released build', 'Built', /to #2 1\.1\.0/]);
  await shoot(app, 'upgrades-not-run');

  await app.getByRole('button', { name: 'Run all' }).click();
  const progress = app.getByRole('region', { name: 'Upgrade progress' });
  await expect(progress.getByRole('status')).toContainText('Upgrades to #2 1.1.0: Running');
  await expect(matrix.getByRole('button', { name: /#1 1\.0\.0 → #2 1\.1\.0: (queued|running)/ })).toBeVisible();
  await expect(app.getByRole('button', { name: 'Run all' })).toBeDisabled();
  // The pair opens by itself, and its checks stream in under their phases while it runs.
  const details = app.getByRole('region', { name: 'Upgrade #1 1.0.0 → #2 1.1.0' });
  await expect(details.getByRole('list', { name: 'Old checks' }).getByRole('listitem').first()).toBeVisible({ timeout: 120_000 });
  await expect(progress).toContainText('Last check:');
  await shoot(app, 'upgrades-running', progress);

  // Two boots under TCG.
  await expect(progress.getByRole('status')).toContainText('Upgrades to #2 1.1.0: Passed', { timeout: 240_000 });
  const passed = matrix.getByRole('button', { name: '#1 1.0.0 → #2 1.1.0: passed' });
  await expect(passed).toHaveText('passed');
  await expect(app.getByRole('button', { name: 'Run all' })).toBeDisabled();

  await expect(passed).toHaveAttribute('aria-pressed', 'true');
  await expect(details).toContainText('swap');
  for (const phase of ['Old', 'Seed', 'Upgraded', 'Verify']) {
    const checks = details.getByRole('list', { name: `${phase} checks` });
    await expect(checks.getByRole('listitem').first()).toBeVisible();
    for (const item of await checks.getByRole('listitem').all()) await expect(item).toContainText('passed');
  }
  await expect(details.getByRole('list', { name: 'Verify checks' })).toContainText('grep -q keep-me /data/marker');
  await expect(details.getByRole('list', { name: 'Seed checks' })).toContainText('echo keep-me > /data/marker');

  const tabs = details.getByRole('tablist', { name: 'Console logs' });
  await expect(tabs.getByRole('tab', { name: 'Old boot' })).toHaveAttribute('aria-selected', 'true');
  const oldConsole = details.getByRole('tabpanel');
  await expect(oldConsole).toContainText('yoke: ready');
  // Terminal control sequences from the guest's shell do not show up as garbage.
  expect(await oldConsole.textContent()).not.toContain('\x1b');
  await shoot(app, 'upgrades-details', oldConsole);
  await tabs.getByRole('tab', { name: 'New boot' }).click();
  await expect(tabs.getByRole('tab', { name: 'New boot' })).toHaveAttribute('aria-selected', 'true');
  await expect(details.getByRole('tabpanel')).toContainText('yoke: ready');
  await expect(details.getByRole('tabpanel')).toContainText('starting hello-web 1.1.0');
  await shoot(app, 'upgrades-new-boot', details.getByRole('tabpanel'));

  // Run the one cell again, the other way: the old build installs the new update package itself.
  await app.getByRole('combobox', { name: 'Method' }).selectOption('package');
  await details.getByRole('button', { name: 'Run again' }).click();
  await expect(progress.getByRole('status')).toContainText('Running');
  await expect(progress.getByRole('status')).toContainText('Upgrades to #2 1.1.0: Passed', { timeout: 240_000 });
  await expect(details).toContainText('package: the old build installs');
  await expect(details.getByRole('list', { name: 'Upgraded checks' })).toContainText('apply update package');
  await expect(passed).toHaveText('passed');

  // Beside the matrix, a canary: what real users sent, replayed against both side by side.
  const log = path.join(parent, 'access.log');
  fs.writeFileSync(log, '10.0.0.1 - - [29/Nov/2026:09:00:00 +0000] "GET / HTTP/1.1" 200 120\n10.0.0.1 - - [29/Nov/2026:09:00:01 +0000] "GET /cgi-bin/visits HTTP/1.1" 200 22\n');
  const canary = app.getByRole('region', { name: 'Canary' });
  await canary.getByLabel('Requests (HAR or access log)').fill(log);
  await canary.getByRole('button', { name: 'Run canary' }).click();
  await expect(canary.getByRole('status')).toContainText('Promote', { timeout: 240_000 });
  await expect(canary.getByRole('status')).toContainText('2 requests replayed, 0 differences');
  await shoot(app, 'upgrades-canary', canary);
  await expectAccessibleInBothThemes(app);

  // Unreleasing the old build empties the matrix again.
  await candidate.selectOption({ label: '#1 1.0.0 (released)' });
  await app.getByRole('button', { name: 'Unrelease', exact: true }).click();
  await expect(app.getByText('No released builds of hello-web')).toBeVisible();
});

test('a package update that fails on the appliance shows as rolled back, with the old checks run again', async ({ app, served }) => {
  test.setTimeout(420_000);
  // 2.0.0 looks for its data disk by a new label: on an old appliance it cannot mount /data.
  const dir = copySample('2.0.0');
  fs.mkdirSync(path.join(dir, 'rootfs', 'etc'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'rootfs', 'etc', 'fstab'), 'LABEL=appdata\t/data\text4\tdefaults\t0\t2\n');
  const spec = path.join(dir, 'appliance.yaml');
  fs.writeFileSync(spec, fs.readFileSync(spec, 'utf8').replace('label: data', 'label: appdata'));
  buildWithCli(dir, served.home);
  const yoke = (...args: string[]) => execFileSync(process.execPath, [path.join(ROOT, 'bin/yoke.js'), ...args, '--home', served.home], { cwd: ROOT, stdio: 'pipe', timeout: 360_000 });
  yoke('release', '1');
  // The run itself from the CLI (exit 1: the upgrade failed); the screen reads what it stored.
  expect(() => yoke('upgrade-test', '--to', '3', '--from', '1', '--method', 'package')).toThrow();
  await app.reload();
  await openUpgrades(app);
  await app.getByRole('combobox', { name: 'Candidate' }).selectOption({ label: '#3 2.0.0' });
  const matrix = app.getByRole('table', { name: 'Upgrade matrix' });
  const cell = matrix.getByRole('button', { name: '#1 1.0.0 → #3 2.0.0: rolled back' });
  await expect(cell).toHaveText('rolled back');
  await cell.click();
  const details = app.getByRole('region', { name: 'Upgrade #1 1.0.0 → #3 2.0.0' });
  const back = details.getByRole('list', { name: 'Rolled back checks' });
  await expect(back).toContainText('roll back');
  for (const item of await back.getByRole('listitem').all()) await expect(item).toContainText('passed');
  await expect(details.getByRole('list', { name: 'Upgraded checks' })).toContainText('LABEL=appdata is not mounted on /data');
  await shoot(app, 'upgrades-rolled-back', back);
  await expectAccessibleInBothThemes(app);
});
