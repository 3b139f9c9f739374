import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { axeViolations, countByImpact, type AxeViolation } from '../axe';
import { expect, ROOT, test } from '../fixtures';
import { shoot } from '../shoot';

// axe-core on every screen, light and dark: no critical or serious violation may remain.
test.use({ homeLabel: 'a11y' });

// A copy: the first build of a folder writes appliance.pub into it, never into the repository.
const SAMPLE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-a11y-')), 'hello-web');
fs.cpSync(path.join(ROOT, 'resources/sample/hello-web'), SAMPLE, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });
const REPORT = path.join(ROOT, 'test-results', 'axe.json');

function cli(args: string[], home: string): void {
  execFileSync(process.execPath, [path.join(ROOT, 'bin/yoke.js'), ...args, '--home', home], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
}

type Visit = [name: string, go: (app: Page) => Promise<void>];

const nav = (app: Page) => app.getByRole('navigation', { name: 'Main' });
const screen = (name: string) => async (app: Page) => {
  await nav(app).getByRole('button', { name }).click();
  await expect(app.getByRole('heading', { level: 1, name })).toBeVisible();
};

const VISITS: Visit[] = [
  ['appliances-empty', screen('Appliances')],
  [
    'appliances-overview',
    async (app) => {
      await screen('Appliances')(app);
      await app.getByRole('button', { name: 'Open appliance…' }).click();
      // The copy the CLI built, so Build has nothing to do (see build-no-changes).
      await app.getByRole('textbox', { name: 'Appliance folder' }).fill(SAMPLE);
      await app.getByRole('button', { name: 'Open', exact: true }).click();
      await expect(app.getByRole('article', { name: /^Appliance / })).toBeVisible();
    },
  ],
  [
    'appliances-build-tab',
    async (app) => {
      await app.getByRole('tab', { name: 'Build & test' }).click();
      await expect(app.getByRole('tabpanel', { name: 'Build and test' })).toBeVisible();
    },
  ],
  [
    'build-no-changes',
    async (app) => {
      // Nothing changed since the CLI's build: Build reuses it and offers Rebuild anyway.
      await app.getByRole('button', { name: 'Build', exact: true }).click();
      await expect(app.getByRole('status').filter({ hasText: /^Build: No changes since #\d+$/ })).toBeVisible({ timeout: 30_000 });
      await expect(app.getByRole('button', { name: 'Rebuild anyway' })).toBeVisible();
    },
  ],
  [
    'new-appliance-wizard',
    async (app) => {
      await app.getByRole('tab', { name: 'Overview' }).click();
      await app.getByRole('button', { name: 'New appliance…' }).click();
      await expect(app.getByRole('dialog')).toBeVisible();
    },
  ],
  [
    'builds',
    async (app) => {
      await app.keyboard.press('Escape');
      await expect(app.getByRole('dialog')).toHaveCount(0);
      await screen('Builds')(app);
      await expect(app.getByRole('button', { name: /^Open build \d+$/ }).first()).toBeVisible();
    },
  ],
  [
    'build-details',
    async (app) => {
      await app.getByRole('button', { name: /^Open build \d+$/ }).first().click();
      await expect(app.getByRole('region', { name: /^Build \d+$/ })).toBeVisible();
      await expect(app.getByRole('table', { name: 'Artifacts' })).toBeVisible();
    },
  ],
  [
    'build-details-log',
    async (app) => {
      await app.getByRole('region', { name: /^Build \d+$/ }).getByRole('tab', { name: 'Log' }).click();
      await expect(app.getByRole('log', { name: /^Log of build \d+$/ })).toContainText('stage ');
    },
  ],
  ['vms', screen('VMs')],
  ['upgrades', screen('Upgrades')],
  [
    'settings',
    async (app) => {
      await screen('Settings')(app);
      await expect(app.getByText(/using tcg|KVM/).first()).toBeVisible({ timeout: 30_000 });
    },
  ],
];

test('axe finds no critical or serious violation on any screen, light or dark', async ({ app, served }) => {
  test.setTimeout(300_000);
  // Every output the spec names, so the window's Build can reuse this build ("No changes since #1").
  cli(['build', SAMPLE], served.home);
  cli(['test', SAMPLE], served.home);
  await app.reload();
  await expect(app.getByRole('status').filter({ hasText: 'Connected' })).toBeVisible();
  const report: Record<string, Record<string, number | string[]>> = {};
  const bad: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await app.emulateMedia({ colorScheme: scheme });
    for (const [name, go] of VISITS) {
      await go(app);
      // Every screen at both sizes and in both themes, for people to look at (see e2e/shoot.ts).
      if (scheme === 'light') await shoot(app, `screen-${name}`);
      const violations: AxeViolation[] = await axeViolations(app);
      report[`${name}-${scheme}`] = { ...countByImpact(violations), rules: violations.map((v) => `${v.impact} ${v.id}`) };
      for (const v of violations)
        if (v.impact === 'critical' || v.impact === 'serious') bad.push(`${name} (${scheme}): ${v.impact} ${v.id} — ${v.help}\n    ${v.nodes.slice(0, 4).join('\n    ')}`);
    }
  }
  fs.mkdirSync(path.dirname(REPORT), { recursive: true });
  fs.writeFileSync(REPORT, JSON.stringify(report, null, 2));
  expect(bad, bad.join('\n')).toEqual([]);
});
