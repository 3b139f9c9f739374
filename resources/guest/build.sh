#!/bin/sh
# Compiles the appliance-side helpers of the updater into resources/guest/bin/ as small static
# binaries (the guest has only static busybox). Needs gcc, libc6-dev, libsodium-dev, libzstd-dev.
set -eu
cd "$(dirname "$0")"
mkdir -p bin
for p in yoke-verify:-lsodium yoke-unpatch:-lzstd; do
  name=${p%%:*}; lib=${p#*:}
  if [ ! -x "bin/$name" ] || [ "src/$name.c" -nt "bin/$name" ]; then
    gcc -static -Os -s -ffunction-sections -fdata-sections -Wl,--gc-sections -o "bin/$name.tmp" "src/$name.c" $lib -lpthread
    mv "bin/$name.tmp" "bin/$name"
  fi
done
