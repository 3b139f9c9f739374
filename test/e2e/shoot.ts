import fs from 'node:fs';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { screenshot } from './fixtures';

/** Where this work's screenshots are kept for people to look at (besides test-results/). */
const NOTES = process.env.YOKE_SCREENS_DIR;

/** Screenshots at 1280×800 and 1024×700, light and dark, with `focus` scrolled into view each time. */
export async function shoot(app: Page, name: string, focus?: Locator): Promise<void> {
  const before = app.viewportSize();
  for (const scheme of ['light', 'dark'] as const) {
    await app.emulateMedia({ colorScheme: scheme });
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 1024, height: 700 },
    ]) {
      await app.setViewportSize(viewport);
      await focus?.scrollIntoViewIfNeeded();
      const label = scheme === 'dark' ? `${name}-dark` : name;
      await screenshot(app, label);
      if (NOTES) {
        fs.mkdirSync(NOTES, { recursive: true });
        await app.screenshot({ path: path.join(NOTES, `${label}-${viewport.width}x${viewport.height}.png`) });
      }
    }
  }
  await app.emulateMedia({ colorScheme: 'light' });
  if (before) await app.setViewportSize(before);
}
