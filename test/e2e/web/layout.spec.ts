import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, ROOT, test } from '../fixtures';
import { shoot } from '../shoot';

// At 1024×700 nothing overlaps (compared by bounding boxes), text that names a state is not cut,
// and the app shell itself never scrolls: only its panes do.
test.use({ homeLabel: 'layout', viewport: { width: 1024, height: 700 } });

const SAMPLE = path.join(ROOT, 'resources/sample/hello-web');

type Box = { sel: string; text: string; x: number; y: number; w: number; h: number };

/** Visible boxes of every element matching each selector (text ranges for `text:` selectors). */
async function boxes(app: Page, selectors: string[]): Promise<Box[]> {
  return app.evaluate((sels) => {
    // Runs in the page; the Node-side type checker has no DOM types.
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { x: number; y: number; width: number; height: number }; textContent: string | null; getClientRects(): ArrayLike<unknown> }> } }).document;
    const out: { sel: string; text: string; x: number; y: number; w: number; h: number }[] = [];
    for (const sel of sels) {
      for (const el of Array.from(doc.querySelectorAll(sel))) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) continue;
        out.push({ sel, text: (el.textContent ?? '').trim().slice(0, 40), x: r.x, y: r.y, w: r.width, h: r.height });
      }
    }
    return out;
  }, selectors);
}

function overlaps(a: Box, b: Box): boolean {
  const e = 0.5; // sub-pixel rounding
  return a.x + a.w > b.x + e && b.x + b.w > a.x + e && a.y + a.h > b.y + e && b.y + b.h > a.y + e;
}

async function expectNoOverlap(app: Page, where: string, selectors: string[]): Promise<void> {
  const all = await boxes(app, selectors);
  expect(all.length, `${where}: found nothing to compare for ${selectors.join(', ')}`).toBeGreaterThan(1);
  const bad: string[] = [];
  for (let i = 0; i < all.length; i++)
    for (let j = i + 1; j < all.length; j++) if (overlaps(all[i], all[j])) bad.push(`"${all[i].text}" (${all[i].sel}) overlaps "${all[j].text}" (${all[j].sel})`);
  expect(bad, `${where} at 1024×700`).toEqual([]);
}

/** Elements whose content is wider than their box (cut off or spilling), among those selected. */
async function clipped(app: Page, selector: string): Promise<string[]> {
  return app.evaluate((sel) => {
    const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ scrollWidth: number; clientWidth: number; textContent: string | null }> } }).document;
    return Array.from(doc.querySelectorAll(sel))
      .filter((el) => el.scrollWidth > el.clientWidth + 1)
      .map((el) => (el.textContent ?? '').trim());
  }, selector);
}

async function shellScroll(app: Page): Promise<number> {
  return app.evaluate(() => {
    const d = (globalThis as unknown as { document: { scrollingElement: { scrollTop: number; scrollLeft: number } } }).document;
    return d.scrollingElement.scrollTop + d.scrollingElement.scrollLeft;
  });
}

test('at 1024×700 no two things overlap on any screen, and the shell never scrolls', async ({ app, served }) => {
  test.setTimeout(180_000);
  for (const args of [['build', SAMPLE, '--output', 'raw'], ['test', SAMPLE]])
    execFileSync(process.execPath, [path.join(ROOT, 'bin/yoke.js'), ...args, '--home', served.home], { cwd: ROOT, stdio: 'pipe', timeout: 240_000 });
  await app.reload();
  const nav = app.getByRole('navigation', { name: 'Main' });
  const FRAME = ['.titlebar', '.sidebar', '.content', '.statusbar'];
  const HEADER = ['.screen-heading', '.screen-actions > *'];

  await app.getByRole('button', { name: 'Open appliance…' }).click();
  await app.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(app.getByRole('article', { name: /^Appliance / })).toBeVisible();
  await expectNoOverlap(app, 'frame', FRAME);
  await expectNoOverlap(app, 'Appliances header', HEADER);
  await expectNoOverlap(app, 'status bar', ['.statusbar > *']);
  // The header keeps its subtitle on at most two lines.
  expect((await app.locator('.screen-subtitle').boundingBox())!.height).toBeLessThan(45);

  // Arrow keys move between tabs and select them.
  await app.getByRole('tab', { name: 'Overview' }).focus();
  await app.keyboard.press('ArrowRight');
  await expect(app.getByRole('tab', { name: 'Build & test' })).toBeFocused();
  await expect(app.getByRole('tab', { name: 'Build & test' })).toHaveAttribute('aria-selected', 'true');
  await expectNoOverlap(app, 'Build & test header', HEADER);
  await expectNoOverlap(app, 'Build & test panes', ['.buildview-progress', '.buildview-side', '.buildview-log']);

  await nav.getByRole('button', { name: 'Builds' }).click();
  await app.getByRole('button', { name: /^Open build \d+$/ }).first().click();
  await expect(app.getByRole('region', { name: /^Build \d+$/ })).toBeVisible();
  await expectNoOverlap(app, 'Builds header', HEADER);
  await expectNoOverlap(app, 'Builds filters', ['.filters > *']);
  await expectNoOverlap(app, 'Builds column headings', ['.builds-grid thead th']);
  await expectNoOverlap(app, 'Builds row', ['.builds-grid tbody tr:not(.spacer) td']);
  // Column headings and the build and test outcomes are never cut off.
  expect(await clipped(app, '.builds-grid thead .sort-button')).toEqual([]);
  expect(await clipped(app, '.builds-grid tbody td:has(> .status)')).toEqual([]);
  // Nor are the numbers (id, duration, size).
  expect(await clipped(app, '.builds-grid tbody td.num')).toEqual([]);
  await expectNoOverlap(app, 'build details', ['.details-title > *', '.details-actions > *']);
  // Flavoured data disks say which flavour they are, and sizes are what the files use on disk
  // (the 1 GiB "large" data disk is sparse), with the apparent size on hover.
  const artifacts = app.getByRole('table', { name: 'Artifacts' });
  await expect(artifacts).toContainText('data · small');
  const large = artifacts.getByRole('row').filter({ hasText: 'data · large' }).filter({ hasText: /^raw/ });
  await expect(large.getByRole('cell').nth(2)).toHaveAttribute('title', /^1\.0 GiB apparent/);
  await expect(large.getByRole('cell').nth(2)).not.toHaveText('1.0 GiB');
  // The history's Size column says the same: used bytes, the apparent size (over 1 GiB) on hover.
  const size = app.locator('.builds-grid tbody tr:not(.spacer)').first().locator('td').nth(8);
  await expect(size).toHaveAttribute('title', /^[\d.]+ [KMG]iB used on disk; 1\.\d GiB apparent/);
  await expect(size).not.toHaveText(/GiB/);
  await shoot(app, 'layout-builds');

  // A wheel over the sidebar or the content scrolls the pane under it, never the whole shell.
  await app.mouse.move(80, 400);
  await app.mouse.wheel(0, 2000);
  await app.mouse.move(600, 400);
  await app.mouse.wheel(0, 4000);
  await expect.poll(() => shellScroll(app)).toBe(0);
  await expect(app.locator('.titlebar')).toBeInViewport();
  await expect(app.getByRole('contentinfo', { name: 'Status' })).toBeInViewport();

  for (const [name, ready] of [
    ['VMs', /No VMs running/],
    ['Upgrades', /Upgrades/],
    ['Settings', /using tcg|KVM/],
  ] as const) {
    await nav.getByRole('button', { name }).click();
    await expect(app.getByText(ready).first()).toBeVisible({ timeout: 30_000 });
    await expectNoOverlap(app, `${name} header`, HEADER);
    await expectNoOverlap(app, `${name} frame`, FRAME);
  }
});
