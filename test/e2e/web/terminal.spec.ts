import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { axeViolations } from '../axe';
import { expect, ROOT, test } from '../fixtures';
import { shoot } from '../shoot';

// The VM terminal is a real terminal: Ctrl+C and Ctrl+Z reach the guest's foreground job, the
// guest knows the window size, the keyboard can leave it, and a powered-off VM's transcript stays.
// Present mode keeps its links across Reset and keeps focus inside its overlay.
test.use({ homeLabel: 'terminal' });
test.describe.configure({ mode: 'serial' });

const SAMPLE = path.join(ROOT, 'resources/sample/hello-web');

test.beforeAll(({ served }) => {
  execFileSync(process.execPath, [path.join(ROOT, 'bin/yoke.js'), 'build', SAMPLE, '--output', 'raw', '--home', served.home], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
});

async function openBuild(app: Page): Promise<void> {
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Builds' }).click();
  await app.getByRole('table', { name: 'Builds' }).getByRole('button', { name: /^Open build \d+$/ }).first().click();
}

/** The terminal's size as drawn: rows from the row elements, columns from the character grid. */
async function drawnRows(app: Page): Promise<number> {
  return app.locator('.xterm-rows > div').count();
}

test('the terminal interrupts `sleep 30`, suspends a job, knows its size, lets the keyboard out and keeps the transcript', async ({ app }) => {
  test.setTimeout(300_000);
  await openBuild(app);
  await app.getByRole('button', { name: 'Boot', exact: true }).click();
  const vms = app.getByRole('table', { name: 'Virtual machines' });
  await expect(vms.getByText(/^(booting|ready)$/)).toBeVisible({ timeout: 30_000 });
  await expect(vms.getByText('ready', { exact: true })).toBeVisible({ timeout: 120_000 });
  await vms.getByRole('button', { name: 'Terminal', exact: true }).click();
  const rows = app.locator('.xterm-rows');
  await expect(rows).toContainText('yoke: ready after', { timeout: 60_000 });
  const input = app.locator('.xterm-helper-textarea');
  await input.focus();

  // The size: the prompt asked the terminal, so `stty size` prints what xterm.js draws.
  await app.keyboard.type('stty size\n');
  const size = rows.getByText(/^\d+ \d+\s*$/).last();
  await expect(size).toBeVisible({ timeout: 20_000 });
  const [r1, c1] = (await size.textContent())!.trim().split(' ').map(Number);
  expect(r1).toBe(await drawnRows(app));
  expect(c1).toBeGreaterThan(40);
  // A smaller window: the next prompt learns the new size.
  await app.setViewportSize({ width: 1024, height: 600 });
  await expect.poll(() => drawnRows(app)).toBeLessThan(r1);
  // The terminal redraws the idle prompt once the size settles; that prompt asks the new size.
  await app.waitForTimeout(2500);
  await input.focus();
  await app.keyboard.type('clear; stty size\n');
  await expect(rows.getByText(new RegExp(`^${await drawnRows(app)} \\d+\\s*$`))).toBeVisible({ timeout: 20_000 });

  // Ctrl+C interrupts the foreground command long before it would end.
  await app.keyboard.type('sleep 30; echo slept-$((1+1))\n');
  await app.waitForTimeout(1500);
  const interrupted = Date.now();
  await app.keyboard.press('Control+c');
  await app.keyboard.type('echo after-$((6*7))\n');
  await expect(rows).toContainText('after-42', { timeout: 15_000 });
  expect(Date.now() - interrupted).toBeLessThan(20_000);
  await expect(rows).not.toContainText('slept-2');

  // Ctrl+Z suspends it; the shell's job control lists it and kills it.
  await app.keyboard.type('sleep 30\n');
  await app.waitForTimeout(1500);
  await app.keyboard.press('Control+z');
  await expect(rows).toContainText(/Stopped/i, { timeout: 15_000 });
  await app.keyboard.type('jobs; kill %1; echo jobs-done\n');
  await expect(rows).toContainText('jobs-done', { timeout: 15_000 });
  await shoot(app, 'vm-terminal-ctrl-c');

  // Keyboard: Ctrl+M turns on Tab focus mode, and then Tab leaves the terminal.
  await input.focus();
  await app.keyboard.press('Control+m');
  await expect(app.getByText('Tab focus mode on')).toBeVisible();
  await app.keyboard.press('Tab');
  await expect(input).not.toBeFocused();
  // Alt+1 switches screens from inside the terminal too.
  await input.focus();
  await app.keyboard.press('Alt+1');
  await expect(app.getByRole('heading', { level: 1, name: 'Appliances' })).toBeVisible();
  await app.keyboard.press('Alt+3');
  await expect(rows).toContainText('after-42');

  // axe on the terminal screen, both themes.
  for (const scheme of ['light', 'dark'] as const) {
    await app.emulateMedia({ colorScheme: scheme });
    const bad = (await axeViolations(app)).filter((v) => v.impact === 'critical' || v.impact === 'serious');
    expect(bad, JSON.stringify(bad, null, 1)).toEqual([]);
  }
  await app.emulateMedia({ colorScheme: 'light' });

  // Powered off: the tab stays, with what the console printed.
  await app.getByRole('tab', { name: /^Running/ }).click();
  await vms.getByRole('button', { name: 'Stop', exact: true }).first().click();
  await expect(app.getByText('No VMs running')).toBeVisible({ timeout: 60_000 });
  await app.getByRole('tab', { name: /^Terminal: / }).click();
  await expect(app.getByText('Powered off.')).toBeVisible();
  await expect(rows).toContainText('after-42');
  await shoot(app, 'vm-terminal-powered-off');
  await app.getByRole('button', { name: /^Close terminal of / }).click();
  await expect(app.getByRole('tab', { name: /^Terminal: / })).toHaveCount(0);
});

test('Present keeps its port across Reset, holds focus, copies the link, and Escape exits', async ({ app }) => {
  test.setTimeout(240_000);
  await openBuild(app);
  await app.getByRole('button', { name: 'Present', exact: true }).click();
  const present = app.getByRole('dialog', { name: 'Present mode' });
  await expect(present).toBeFocused();
  await expect(present.getByRole('status')).toHaveText('Starting a fresh copy…');
  const link = present.getByRole('link', { name: /^http:\/\/127\.0\.0\.1:\d+\/$/ });
  await expect(link).toBeVisible({ timeout: 120_000 });
  await expect(present.getByRole('status')).toContainText('Running');
  const before = await link.textContent();
  // The link answers by the time it is shown.
  const answer = await app.request.get(before!);
  expect(answer.status()).toBe(200);

  // Focus stays inside the overlay, however often Tab is pressed.
  for (let i = 0; i < 8; i++) {
    await app.keyboard.press('Tab');
    expect(await present.evaluate((el) => el.contains((el.ownerDocument as unknown as { activeElement: unknown }).activeElement as never))).toBe(true);
  }
  await app.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await present.getByRole('button', { name: `Copy link ${before}` }).click();
  expect(await app.evaluate(() => (globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }).navigator.clipboard.readText())).toBe(before);
  await shoot(app, 'present');

  await present.getByRole('button', { name: 'Reset' }).click();
  await expect(present.getByRole('status')).toContainText('Resetting');
  await expect(link).toBeVisible({ timeout: 120_000 });
  expect(await link.textContent()).toBe(before);
  await app.keyboard.press('Escape');
  await expect(present).toBeHidden();

  // Present is one click from the Appliances screen too.
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Appliances' }).click();
  await app.getByRole('button', { name: 'Open appliance…' }).click();
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  await app.getByRole('button', { name: 'Present', exact: true }).click();
  await expect(present).toBeVisible();
  await app.keyboard.press('Escape');
  await expect(present).toBeHidden();
  await app.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'VMs' }).click();
  await expect(app.getByText('No VMs running')).toBeVisible({ timeout: 60_000 });
});
