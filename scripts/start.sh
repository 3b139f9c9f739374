#!/usr/bin/env bash
# Sets Yoke up, builds and tests the bundled sample appliance, then opens Yoke on it:
# the desktop window where Electron's binary is installed, else the browser UI (yoke serve).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || exit $?
sample=resources/sample/hello-web
yoke() { node bin/yoke.js "$@"; }
yoke doctor || echo "(continuing: see what doctor says above)" >&2
yoke build "$sample" || exit $?
yoke test "$sample" || echo "(some checks failed: open the build in Yoke to see why)" >&2
if [ -x node_modules/electron/dist/electron ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec node_modules/electron/dist/electron .
fi
echo "Electron's window is not available here (its binary is not installed); serving the same UI to your browser." >&2
exec node bin/yoke.js serve
