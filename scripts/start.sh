#!/usr/bin/env bash
# Sets Yoke up, builds and tests the bundled sample appliance, then opens Yoke on it:
# the desktop window where Electron's binary is installed, else the browser UI (yoke serve).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
sample=resources/sample/hello-web
yoke() { node bin/yoke.js "$@"; }
yoke doctor || true
if yoke --help | grep -q '^  build '; then yoke build "$sample"; fi
if yoke --help | grep -q '^  test '; then yoke test "$sample"; fi
if [ -x node_modules/electron/dist/electron ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec npx electron . --appliance "$sample"
fi
echo "Electron's window is not available here; serving the same UI in your browser." >&2
exec node bin/yoke.js serve
