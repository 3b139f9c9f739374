import { ensureBuilt } from '../support/ensure-built';

/** Playwright wants a default export here; the work is shared with vitest's global setup. */
export default function globalSetup(): void {
  ensureBuilt();
}
