#!/bin/sh
# Yoke's appliance updater, /sbin/yoke-update (busybox sh): installs signed update packages at boot
# and keeps the previous OS to fall back on. Usage: yoke-update trial|apply|commit
#
# Init runs it three times:
#   trial  - first thing on a boot of a newly installed OS: make the previous OS the boot
#            loader's default again, so any failure from here on falls back to it;
#   apply  - once the data disk is mounted, before services: install a package from its updates/;
#   commit - after "ready": make the new OS the default for good.
# What the fallback covers: a new OS whose init runs but never gets ready (hangs, panics after
# the trial step, loses power or is killed) boots the previous OS next time; a watchdog reboots a
# trial boot that is not ready within TRIAL_READY_S. What it does not cover: a new kernel or
# initrd that never reaches init (syslinux has no boot-once flag that a booted guest can set); the
# updater checks every file's SHA-256 before switching, which rules out corrupt copies but not a
# kernel that does not boot on this machine.
# The OS disk's FAT is written by the kernel's own vfat driver (modules shipped in the updater
# layer); syslinux.cfg is replaced by writing a new file and renaming it over the old one.
#
# This file is resources/guest/yoke-update.sh in Yoke's source. The build fills in each NAME=@…@
# below with a sh-quoted value (src-main/build/updates/updater-script.ts); nothing else changes.
NAME=@NAME@
VERSION=@VERSION@
# Where packages are dropped (<data mount>/updates), and the data disk's mount; empty without one.
UPDATES=@UPDATES@
DATA=@DATA@
PUB=@PUB@
VERIFY=@VERIFY@
UNPATCH=@UNPATCH@
# The FAT and NLS kernel modules, in load order.
FAT_MODULES=@FAT_MODULES@
TRIAL_READY_S=@TRIAL_READY_S@
BOOT=/run/yoke/boot
WORK=/run/yoke/update
say() { echo "yoke-update: $*"; }

# Prints 1, 0 or -1 as semver $1 is newer than, equal to or older than $2 (build metadata ignored).
vercmp() {
  awk -v a="$1" -v b="$2" '
    function cmpid(x, y) {
      if (x ~ /^[0-9]+$/ && y ~ /^[0-9]+$/) return (x + 0 > y + 0) - (x + 0 < y + 0)
      if (x ~ /^[0-9]+$/) return -1
      if (y ~ /^[0-9]+$/) return 1
      return (x > y) - (x < y)
    }
    function cmp(x, y,   xc, yc, xp, yp, n, m, i, c, xa, ya) {
      sub(/\+.*/, "", x); sub(/\+.*/, "", y)
      xc = x; xp = ""; if (index(x, "-")) { xc = substr(x, 1, index(x, "-") - 1); xp = substr(x, index(x, "-") + 1) }
      yc = y; yp = ""; if (index(y, "-")) { yc = substr(y, 1, index(y, "-") - 1); yp = substr(y, index(y, "-") + 1) }
      split(xc, xa, "."); split(yc, ya, ".")
      for (i = 1; i <= 3; i++) { c = cmpid(xa[i] + 0, ya[i] + 0); if (c) return c }
      if (xp == "" && yp == "") return 0
      if (xp == "") return 1
      if (yp == "") return -1
      n = split(xp, xa, "."); m = split(yp, ya, ".")
      for (i = 1; i <= n && i <= m; i++) { c = cmpid(xa[i], ya[i]); if (c) return c }
      return (n > m) - (n < m)
    }
    BEGIN { print cmp(a, b) }'
}

mount_boot() {
  grep -q " $BOOT " /proc/mounts && return 0
  for m in $FAT_MODULES; do insmod "$m" 2>/dev/null; done
  dev=$(findfs LABEL=YOKE 2>/dev/null)
  [ -b "$dev" ] || dev=/dev/vda1
  mkdir -p $BOOT
  mount -t vfat -o rw,flush "$dev" $BOOT
}

# Replaces syslinux.cfg by $1 (a file on the OS disk): write a copy, flush it, rename it over.
switch_cfg() {
  cp "$1" $BOOT/syslinux.new && sync && mv $BOOT/syslinux.new $BOOT/syslinux.cfg && sync
}

# The lines of one LABEL's entry in syslinux.cfg.
cfg_entry() {
  awk -v l="$1" '$1 == "LABEL" { on = ($2 == l) } on' $BOOT/syslinux.cfg
}

cfg_default() {
  awk '$1 == "DEFAULT" { print $2; exit }' $BOOT/syslinux.cfg
}

# A clean stop of the disks before a reboot that no service may see.
stop_disks() {
  sync
  grep -q " $BOOT " /proc/mounts && umount $BOOT
  [ -n "$DATA" ] && grep -q " $DATA " /proc/mounts && { umount "$DATA" 2>/dev/null || mount -o remount,ro "$DATA"; }
  sync
}

refuse() {
  say "refused ${1##*/}: $2"
  mkdir -p "$UPDATES/refused"
  # The reason is on disk before the package moves, and the move before anything else happens:
  # a power cut must not leave a moved package without its reason (or retry a refused one).
  echo "$2" >"$UPDATES/refused/${1##*/}.reason"
  sync
  mv "$1" "$UPDATES/refused/" 2>/dev/null
  sync
  rm -rf $WORK
  return 1
}

# Value of a manifest key (the rest of its line).
field() { awk -v k="$1" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' $WORK/manifest; }

install_files() {
  pkg=$1; cur=$2; dest=$3
  while read -r kind f sum extra; do
    case "$kind" in file|patch|same) ;; *) continue ;; esac
    case "$f" in */*|.*|"") say "bad file name $f"; return 1 ;; esac
    out="$dest/$f.tmp"
    case "$kind" in
      file) tar -xOf "$pkg" "$f" >"$out" || return 1 ;;
      same|patch)
        old="$cur/$f"
        [ "$(sha256sum "$old" 2>/dev/null | cut -d" " -f1)" = "$extra" ] || { say "this appliance's $f is not the one the diff package was made against"; return 1; }
        if [ "$kind" = same ]; then cp "$old" "$out" || return 1
        else tar -xOf "$pkg" "$f.zpatch" >$WORK/patch && $UNPATCH "$old" $WORK/patch "$out" || return 1; rm -f $WORK/patch; fi ;;
    esac
    [ "$(sha256sum "$out" | cut -d" " -f1)" = "$sum" ] || { say "$f does not match its checksum in the manifest"; return 1; }
    mv "$out" "$dest/$f" || return 1
  done <$WORK/manifest
}

apply_one() {
  pkg=$1
  rm -rf $WORK; mkdir -p $WORK
  tar -xf "$pkg" -C $WORK manifest manifest.sig 2>/dev/null || { refuse "$pkg" "not a Yoke update package (no manifest)"; return; }
  # The verifier reads at most 1 MiB of manifest (resources/guest/src/yoke-verify.c); a bigger one
  # is refused as what it is, not as a bad signature.
  msz=$(wc -c <$WORK/manifest)
  [ "$msz" -le 1048576 ] || { refuse "$pkg" "its manifest is $msz bytes, over the 1 MiB an update package may carry (the signature was not even checked); make the package again with yoke build"; return; }
  $VERIFY $PUB $WORK/manifest.sig $WORK/manifest 2>/dev/null || { refuse "$pkg" "bad signature: not signed with $NAME's update key (tampered, or made for another appliance)"; return; }
  [ "$(field yoke-update)" = 1 ] || { refuse "$pkg" "unknown package format $(field yoke-update)"; return; }
  [ "$(field appliance)" = "$NAME" ] || { refuse "$pkg" "made for $(field appliance), this is $NAME"; return; }
  new=$(field version)
  [ "$(vercmp "$new" "$VERSION")" = 1 ] || { refuse "$pkg" "version $new is not newer than the running $VERSION (no downgrades)"; return; }
  mount_boot || { refuse "$pkg" "cannot mount the OS disk's boot partition"; return; }
  curlabel=$(cfg_default)
  kern=$(cfg_entry "$curlabel" | awk '$1 == "KERNEL" { print $2 }')
  curdir=$BOOT${kern%/*}
  slot="v$new"
  [ "$BOOT/$slot" = "$curdir" ] && slot="$slot-b"
  # Room for the new OS: drop every installed OS but the running one (the original stays at the root).
  for d in $BOOT/v*; do [ -d "$d" ] && [ "$d" != "$curdir" ] && rm -rf "$d"; done
  mkdir -p "$BOOT/$slot"
  say "installing $NAME $new from ${pkg##*/} into /$slot (keeping the running $VERSION)"
  if ! install_files "$pkg" "$curdir" "$BOOT/$slot"; then rm -rf "$BOOT/$slot"; umount $BOOT; refuse "$pkg" "its files could not be installed"; return; fi
  sync
  keep=""; grep -qw yoke.control=1 /proc/cmdline && keep=" yoke.control=1"
  initrd=$(field initrd | awk -v s="/$slot/" '{ for (i = 1; i <= NF; i++) printf "%s%s%s", (i > 1 ? "," : ""), s, $i }')
  cmdline=$(field cmdline)
  prev=$(cfg_entry "$curlabel" | sed -e "s/^LABEL .*/LABEL yoke-prev/" -e "s/ yoke.trial=1//g")
  case "$prev" in *yoke.control=1*) ;; *) [ -n "$keep" ] && prev=$(echo "$prev" | sed "/^ *APPEND /s/\$/$keep/") ;; esac
  entry() { printf 'LABEL yoke-new\n  KERNEL /%s/vmlinuz\n  INITRD %s\n  APPEND %s%s%s\n' "$slot" "$initrd" "$cmdline" "$keep" "$1"; }
  cfg_head() { printf 'DEFAULT %s\nPROMPT 0\nTIMEOUT 0\n' "$1"; }
  { cfg_head yoke-prev; entry " yoke.trial=1"; echo "$prev"; } >$BOOT/yoke-fallback.cfg
  { cfg_head yoke-new; entry ""; echo "$prev"; } >$BOOT/yoke-commit.cfg
  { cfg_head yoke-new; entry " yoke.trial=1"; echo "$prev"; } >$BOOT/yoke-trial.cfg
  sync
  switch_cfg $BOOT/yoke-trial.cfg || { say "could not switch the boot loader to $new"; return 1; }
  mkdir -p "$UPDATES/applied"; mv "$pkg" "$UPDATES/applied/"
  rm -rf $WORK
  say "applied $NAME $new (was $VERSION); rebooting into it"
  stop_disks
  reboot -f
  sleep 60
}

case "$1" in
  trial)
    grep -qw yoke.trial=1 /proc/cmdline || exit 0
    if mount_boot && [ -f $BOOT/yoke-fallback.cfg ] && switch_cfg $BOOT/yoke-fallback.cfg; then
      say "trial boot of $NAME $VERSION: the previous OS boots next unless this one gets ready"
    else
      say "trial boot of $NAME $VERSION, but the fallback could not be armed"
    fi
    ( sleep "$TRIAL_READY_S"; [ -e /run/yoke/committed ] || { say "not ready after $TRIAL_READY_S s: rebooting into the previous OS"; stop_disks; reboot -f; } ) &
    ;;
  apply)
    [ -n "$UPDATES" ] && [ -d "$UPDATES" ] || exit 0
    for pkg in "$UPDATES"/*.yup; do
      [ -f "$pkg" ] || continue
      apply_one "$pkg"
    done
    grep -q " $BOOT " /proc/mounts && umount $BOOT
    exit 0
    ;;
  commit)
    grep -qw yoke.trial=1 /proc/cmdline || exit 0
    if mount_boot && switch_cfg $BOOT/yoke-commit.cfg; then
      touch /run/yoke/committed
      say "committed $NAME $VERSION: it boots from now on"
    else
      say "could not commit $NAME $VERSION; the previous OS boots next"
    fi
    grep -q " $BOOT " /proc/mounts && umount $BOOT
    ;;
  *) echo "usage: yoke-update trial|apply|commit" >&2; exit 2 ;;
esac
exit 0
