#!/usr/bin/env bash
# Sets up and runs every test: type checks, vitest (unit + integration with real qemu and SQLite)
# and Playwright (the UI in Debian's Chromium against `yoke serve`), then prints one plain
# summary line `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
YOKE_SETUP_TEST=1 bash scripts/setup.sh || exit $?

mkdir -p test-results
status=0
echo "== type check" >&2
npx tsc -p tsconfig.node.json --noEmit || status=1
npx tsc -p tsconfig.web.json --noEmit || status=1

echo "== vitest (unit + integration)" >&2
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=1

echo "== playwright (e2e)" >&2
PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/playwright.json npx playwright test --reporter=list,json || status=1

node -e '
const fs = require("fs");
const read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return null; } };
const v = read("test-results/vitest.json"), p = read("test-results/playwright.json");
let passed = 0, failed = 0, skipped = 0;
if (v) { passed += v.numPassedTests; failed += v.numFailedTests; skipped += (v.numPendingTests || 0) + (v.numTodoTests || 0); } else failed += 1;
if (p) { passed += p.stats.expected; failed += p.stats.unexpected + (p.stats.flaky || 0) * 0; skipped += p.stats.skipped; } else failed += 1;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
'
exit $status
