import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { openStore } from '../../../src-main/store/store';
import { expect, ROOT, test } from '../fixtures';
import { shoot } from '../shoot';

// One scroll area per pane: on every screen, at 1280×800 and 1024×700, no element that scrolls
// (overflow auto or scroll, and more content than room) sits inside another that does. A log
// inside a scrolling page is how a log's tail and a failure end up hidden below the fold.
test.use({ homeLabel: 'scroll' });

// A copy: the first build of a folder writes appliance.pub into it, never into the repository.
const SAMPLE = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-scroll-')), 'hello-web');
fs.cpSync(path.join(ROOT, 'resources/sample/hello-web'), SAMPLE, { filter: (f) => !f.endsWith('appliance.pub'), recursive: true });

const SIZES = [
  { width: 1280, height: 800 },
  { width: 1024, height: 700 },
];

interface Scroller {
  what: string;
  /** The scrolling element it sits inside, if any. */
  inside: string | null;
}

/** Every element that scrolls vertically right now, and the scrolling element around it, if any. */
async function scrollers(app: Page): Promise<Scroller[]> {
  return app.evaluate(() => {
    // Runs in the page; the Node-side type checker has no DOM types.
    type El = { tagName: string; id: string; className: unknown; scrollHeight: number; clientHeight: number; parentElement: El | null; getAttribute(n: string): string | null };
    const g = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<El> }; getComputedStyle(e: El): { overflowY: string } };
    const scrolls = (el: El) => /^(auto|scroll)$/.test(g.getComputedStyle(el).overflowY) && el.scrollHeight > el.clientHeight + 1;
    const name = (el: El) => {
      const cls = typeof el.className === 'string' && el.className.trim() ? `.${el.className.trim().split(/\s+/).join('.')}` : '';
      const label = el.getAttribute('aria-label');
      return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${cls}${label ? `[${label}]` : ''} (${el.scrollHeight}/${el.clientHeight})`;
    };
    const active = Array.from(g.document.querySelectorAll('*')).filter(scrolls);
    return active.map((el) => {
      let p = el.parentElement;
      while (p && !active.includes(p)) p = p.parentElement;
      return { what: name(el), inside: p ? name(p) : null };
    });
  });
}

/** Checks the screen at both sizes; returns what scrolled at each, for the caller to expect more of. */
async function expectOneScrollAreaPerPane(app: Page, screen: string, failures: string[]): Promise<Scroller[][]> {
  const seen: Scroller[][] = [];
  for (const size of SIZES) {
    await app.setViewportSize(size);
    // Layout and virtualized lists settle after a resize.
    await app.waitForTimeout(300);
    const found = await scrollers(app);
    seen.push(found);
    for (const s of found) if (s.inside) failures.push(`${screen} at ${size.width}×${size.height}: ${s.what} scrolls inside ${s.inside}`);
  }
  await app.setViewportSize(SIZES[0]);
  return seen;
}

const nav = (app: Page) => app.getByRole('navigation', { name: 'Main' });

test('every pane has exactly one scroll area, on every screen, at 1280×800 and 1024×700', async ({ app, served }) => {
  test.setTimeout(300_000);
  for (const args of [['build', SAMPLE], ['test', SAMPLE]])
    execFileSync(process.execPath, [path.join(ROOT, 'bin/yoke.js'), ...args, '--home', served.home], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
  await app.reload();
  const failures: string[] = [];

  await app.getByRole('button', { name: 'Open appliance…' }).click();
  await app.getByRole('textbox', { name: /folder/i }).fill(SAMPLE);
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(app.getByRole('article', { name: /^Appliance / })).toBeVisible();
  await expectOneScrollAreaPerPane(app, 'Appliances overview', failures);

  // Nothing changed since the CLI's build: Build reuses it, and Rebuild anyway fills the log.
  await app.getByRole('button', { name: 'Build', exact: true }).click();
  await expect(app.getByRole('status').filter({ hasText: /Build: No changes since #1/ })).toBeVisible({ timeout: 30_000 });
  await expectOneScrollAreaPerPane(app, 'Build & test (no changes)', failures);
  await app.getByRole('button', { name: 'Rebuild anyway' }).click();
  await expect(app.getByRole('status').filter({ hasText: 'Build: Succeeded' })).toBeVisible({ timeout: 180_000 });
  // The log is a pane of its own that scrolls, and the page around it does not.
  for (const found of await expectOneScrollAreaPerPane(app, 'Build & test (build log)', failures)) {
    expect(found.map((s) => s.what).join('\n')).toMatch(/logview-rows\[Build log\]/);
    expect(found.map((s) => s.what).join('\n')).not.toMatch(/^main/m);
  }
  await shoot(app, 'scroll-build-tab');
  // A test run fills the checks list beside the stages.
  await app.getByRole('button', { name: 'Test', exact: true }).click();
  await expect(app.getByRole('status').filter({ hasText: /Test: (Succeeded|Failed)/ })).toBeVisible({ timeout: 180_000 });
  for (const found of await expectOneScrollAreaPerPane(app, 'Build & test (checks)', failures)) {
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((s) => s.what).join('\n')).not.toMatch(/^main/m);
  }
  await shoot(app, 'scroll-test-checks');

  await nav(app).getByRole('button', { name: 'Builds' }).click();
  await app.getByRole('button', { name: /^Open build \d+$/ }).first().click();
  const details = app.getByRole('region', { name: /^Build \d+$/ });
  await expect(details.getByRole('table', { name: 'Artifacts' })).toBeVisible();
  await expectOneScrollAreaPerPane(app, 'Builds (summary)', failures);
  await shoot(app, 'scroll-builds-summary');
  await details.getByRole('tab', { name: 'Log' }).click();
  await expect(details.getByRole('log', { name: /^Log of build \d+$/ })).toContainText('stage ');
  const logTab = await expectOneScrollAreaPerPane(app, 'Builds (log)', failures);
  for (const found of logTab) expect(found.map((s) => s.what).join('\n')).toMatch(/logview-rows\[Log of build \d+\]/);
  await shoot(app, 'scroll-builds-log');

  await details.getByRole('button', { name: 'Boot', exact: true }).click();
  await expect(app.getByRole('heading', { level: 1, name: 'VMs' })).toBeVisible();
  const vms = app.getByRole('table', { name: 'Virtual machines' });
  await vms.getByRole('button', { name: 'Terminal', exact: true }).click();
  await expect(app.locator('.xterm-rows')).toContainText('yoke: ready after', { timeout: 120_000 });
  // More lines than the terminal shows: its scrollback (xterm's own scrollable element, not a
  // native scroll area) is the pane's one scroll area, and the page around it does not scroll.
  await app.locator('.xterm-helper-textarea').focus();
  await app.keyboard.type('seq 1 300\n');
  await expect(app.locator('.xterm-rows')).toContainText('300', { timeout: 20_000 });
  for (const found of await expectOneScrollAreaPerPane(app, 'VMs (terminal)', failures)) expect(found.map((s) => s.what).join('\n')).not.toMatch(/^main/m);
  await shoot(app, 'scroll-vms-terminal');
  await app.getByRole('tab', { name: /^Running/ }).click();
  await vms.getByRole('button', { name: 'Stop', exact: true }).first().click();
  await expect(app.getByText('No VMs running')).toBeVisible({ timeout: 60_000 });
  await expectOneScrollAreaPerPane(app, 'VMs', failures);

  // A long history: the table's rows scroll in their own pane, with or without a build open.
  const store = openStore(served.home);
  store.transaction(() => {
    for (let i = 0; i < 80; i++) {
      const id = store.createBuild({ appliance: 'history', dir: '/tmp/history', version: `0.${i}.0`, createdAt: Date.UTC(2025, 0, 1) + i * 60_000 });
      store.finishBuild(id, { status: 'succeeded', durationMs: 3000, bytes: 30_000_000, usedBytes: 9_000_000 });
    }
  });
  store.close();
  // A reload forgets which build was open: first the table alone, then with a build's details.
  await app.reload();
  await nav(app).getByRole('button', { name: 'Builds' }).click();
  await expect(app.getByText('82 builds')).toBeVisible();
  for (const [what, shot] of [
    ['Builds (long history)', 'scroll-builds-history'],
    ['Builds (long history, a build open)', 'scroll-builds-history-open'],
  ] as const) {
    if (shot === 'scroll-builds-history-open') {
      await app.getByRole('button', { name: /^Open build \d+$/ }).first().click();
      await expect(app.getByRole('region', { name: /^Build \d+$/ })).toBeVisible();
    }
    for (const found of await expectOneScrollAreaPerPane(app, what, failures)) {
      expect(found.map((s) => s.what).join('\n')).toMatch(/table-scroller/);
      expect(found.map((s) => s.what).join('\n')).not.toMatch(/^main/m);
    }
    await shoot(app, shot);
  }

  for (const [name, ready] of [
    ['Upgrades', /Upgrades/],
    ['Settings', /using tcg|KVM/],
  ] as const) {
    await nav(app).getByRole('button', { name }).click();
    await expect(app.getByText(ready).first()).toBeVisible({ timeout: 30_000 });
    await expectOneScrollAreaPerPane(app, name, failures);
  }
  expect(failures, failures.join('\n')).toEqual([]);
});
