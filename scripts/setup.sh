#!/usr/bin/env bash
# Sets Yoke up on a Debian/Ubuntu machine with Node 20: system tools (apt), npm packages, build.
# Idempotent and quick when nothing changed. Run as root to install apt packages; otherwise it
# prints the exact command to run.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  say "Node.js 20 or newer is needed (found: $(node -v 2>/dev/null || echo none))."
  exit 2
fi

# The Debian packages of every tool Yoke runs, and of the compilers of the appliance's update
# helpers: read from the one tool catalogue, resources/tools.json (the doctor and the tool runner
# read it too). Plain node, since npm packages are not installed yet.
mapfile -t APT_PACKAGES < <(node -e '
  const c = require("./resources/tools.json");
  const out = new Set();
  for (const t of c.tools) if (!t.essential) out.add(t.aptPackage);
  for (const s of c.setup) out.add(s.aptPackage);
  if (process.env.YOKE_SETUP_BENCH === "1") for (const b of c.bench ?? []) out.add(b.aptPackage);
  console.log([...out].join("\n"));
')
if [ ${#APT_PACKAGES[@]} -eq 0 ]; then say "cannot read the tool catalogue resources/tools.json"; exit 2; fi
if [ "${YOKE_SETUP_TEST:-}" = 1 ]; then APT_PACKAGES+=(chromium strace); fi  # strace: the fsync test traces system calls
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    say "installing ${missing[*]} (apt)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    say "missing system packages. Run:"
    echo "  sudo apt-get install -y ${missing[*]}"
    exit 2
  fi
fi

# npm packages. Electron's binary cannot always be downloaded (offline machines): skip it; the
# browser UI (yoke serve) and the CLI do not need it. Native modules build against the local Node.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
[ -d /usr/include/node ] && export npm_config_nodedir=/usr
stamp=node_modules/.yoke-setup-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  say "installing npm packages (first time: ~2 min, better-sqlite3 compiles)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

say "compiling the appliance update helpers (resources/guest)"
sh resources/guest/build.sh

say "building (electron-vite)"
npx electron-vite build >/dev/null
say "ready"
