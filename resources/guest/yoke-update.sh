#!/bin/sh
# Yoke's appliance updater, /sbin/yoke-update (busybox sh): installs signed update packages into
# the OS slot that is not running, boots them on trial and commits only when the new OS is ready.
# Usage: yoke-update trial|apply|commit
#
# The OS disk (src-main/build/osdisk.ts, boot-loader.ts) has two slots, /a and /b on the boot
# partition (label YOKE), and GRUB reading the boot state from two copies of a GRUB environment
# block, /yoke/env1 and /yoke/env2, each whole only while its lock file reads 0:
#   yoke_good    the committed slot          yoke_trial  the slot on trial, or empty
#   yoke_tries   trial boots GRUB has left   yoke_failed a trial GRUB gave up on
# GRUB counts a trial down on every boot of it; at 0 it records yoke_failed and boots yoke_good.
# Init runs this script three times:
#   trial  - first thing on every boot: on a trial boot, arm the readiness timer; on a boot of
#            the committed slot while a trial was pending or failed, that trial failed: record it
#            (the kernel panicked, hung, never became ready, or GRUB could not load it);
#   apply  - once the data disk is mounted, before services: write down a recorded rollback in
#            <data>/updates/failed/, then install a package from <data>/updates/ or an update
#            medium into the other slot, read it back, set the trial and reboot;
#   commit - after "ready": on a trial boot, wait the settle time, then commit if every fstab
#            entry is mounted, every service is still up and (upgrade.commit-checks) the
#            appliance's own checks pass; otherwise give the trial up.
# Every write of the boot state goes lock 1, block, lock 0, copy 1 then copy 2, each with fsync,
# so a power cut at any point leaves one whole copy for GRUB.
# A Debian base keeps its root filesystem (erofs) on a partition per slot, root-a and root-b (GPT
# names): a package's `root` entry is written there with dd and read back by its first SIZE bytes;
# the slot's entry names that root's UUID, which the initramfs looks for on every disk.
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
# A trial boot that is not ready this many seconds after the updater's first step gives up.
TRIAL_READY_S=@TRIAL_READY_S@
# Every service must stay up this long before a trial is committed.
SETTLE_S=@SETTLE_S@
TRIES=@TRIES@
SERVICE_DIR=@SERVICE_DIR@
# The FAT label of an update medium (a small disk the customer attaches), and its modules' mount.
MEDIUM_LABEL=@MEDIUM_LABEL@
# What a slot entry's template (slot.cfg.in) says where the slot's letter goes.
SLOT_MARK=@SLOT_MARK@
# The appliance's own checks, when upgrade.commit-checks asks that a trial pass them to commit.
COMMIT_CHECKS=@COMMIT_CHECKS@
BOOT=/run/yoke/boot
WORK=/run/yoke/update
MEDIUM=/run/yoke/medium
# Said on init's console; when that is the serial port, on the screen too (what a customer sees).
say() { echo "yoke-update: $*"; [ "$(readlink /proc/$$/fd/1)" = /dev/ttyS0 ] && { echo "yoke-update: $*" >/dev/tty1; } 2>/dev/null; return 0; }

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

load_fat() { for m in $FAT_MODULES; do insmod "$m" 2>/dev/null; done; return 0; }

mount_boot() {
  grep -q " $BOOT " /proc/mounts && return 0
  load_fat
  dev=$(findfs LABEL=YOKE 2>/dev/null)
  [ -b "$dev" ] || return 1
  mkdir -p $BOOT
  mount -t vfat -o rw,flush "$dev" $BOOT
}

umount_boot() { sync; grep -q " $BOOT " /proc/mounts && umount $BOOT; return 0; }

# The running slot, from the kernel command line GRUB wrote.
SLOT=$(sed -n 's/.* yoke\.slot=\([ab]\).*/\1/p' /proc/cmdline)
other() { [ "$1" = a ] && echo b || echo a; }

# The root partition of slot $1 (root-a or root-b) on the boot partition's own disk; none for a
# busybox base, whose root is in its initrds.
root_dev() {
  esp=$(findfs LABEL=YOKE 2>/dev/null) || return 1
  disk=$(basename "$(dirname "$(readlink -f "/sys/class/block/${esp##*/}")")")
  for u in /sys/class/block/"$disk"/"$disk"*/uevent; do
    grep -qx "PARTNAME=root-$1" "$u" 2>/dev/null && { d=${u%/uevent}; echo "/dev/${d##*/}"; return 0; }
  done
  return 1
}

# Sets $out to the other slot's root partition, where a root image of $1 bytes goes: it must
# exist, be unmounted and hold it. Every root image goes there, a bundle's steps too (each step's
# root is patched from the one before it, read whole into memory first: no copy in RAM disks).
root_out() {
  out=$(root_dev "$(other "$SLOT")") || { why="this appliance's OS disk has no root-$(other "$SLOT") partition for the new root filesystem; replace its OS disk instead"; return 1; }
  grep -q "^$out " /proc/mounts && { why="$out (root-$(other "$SLOT")) is mounted; it is not the other slot"; return 1; }
  room=$(( $(cat "/sys/class/block/${out##*/}/size") * 512 ))
  [ "$1" -le "$room" ] || { why="its root filesystem ($1 bytes) is larger than this appliance's root-$(other "$SLOT") partition ($room bytes); replace its OS disk instead"; return 1; }
  # The other slot's entry goes before its root is overwritten: a torn root is never booted.
  rm -f "$BOOT/$(other "$SLOT")/slot.cfg"; sync
}
on_trial() { grep -qw yoke.trial=1 /proc/cmdline; }

# Reads the first whole copy of the boot state into good/trial/tries/failed; returns 1 if none is.
read_state() {
  for d in env1 env2; do
    e=$BOOT/yoke/$d
    [ "$(cat $e/lock 2>/dev/null)" = 0 ] || continue
    [ "$(head -c 24 $e/grubenv 2>/dev/null)" = "# GRUB Environment Block" ] || continue
    v() { sed -n "s/^$1=//p" $e/grubenv | head -n 1; }
    good=$(v yoke_good); trial=$(v yoke_trial); tries=$(v yoke_tries); failed=$(v yoke_failed)
    [ "$good" = a ] || [ "$good" = b ] || good=a
    return 0
  done
  good=a; trial=; tries=; failed=
  return 1
}

# write_state GOOD TRIAL TRIES FAILED: both copies, in place (same size, same clusters).
write_state() {
  f=/run/yoke/grubenv.new
  printf '# GRUB Environment Block\nyoke_good=%s\nyoke_trial=%s\nyoke_tries=%s\nyoke_failed=%s\n' "$1" "$2" "$3" "$4" >$f
  n=$(wc -c <$f)
  head -c $((1024 - n)) /dev/zero | tr '\0' '#' >>$f
  for d in env1 env2; do
    e=$BOOT/yoke/$d
    printf 1 | dd of=$e/lock conv=notrunc,fsync 2>/dev/null || return 1
    dd if=$f of=$e/grubenv bs=1024 count=1 conv=notrunc,fsync 2>/dev/null || return 1
    printf 0 | dd of=$e/lock conv=notrunc,fsync 2>/dev/null || return 1
  done
  rm -f $f
}

slot_version() { sed -n 's/^# yoke-slot [^ ]* \([^ ]*\)$/\1/p' "$BOOT/$1/slot.cfg" 2>/dev/null; }

# A clean stop of the disks before a reboot that no service may see.
stop_disks() {
  umount_boot
  [ -n "$DATA" ] && grep -q " $DATA " /proc/mounts && { umount "$DATA" 2>/dev/null || mount -o remount,ro "$DATA"; }
  grep -q " $MEDIUM " /proc/mounts && umount $MEDIUM
  sync
}

# Gives the running trial up: why it failed goes onto the boot partition (the data disk may be
# the thing that is missing), the count to 0 so GRUB goes back at once, then a reboot.
fail_trial() {
  say "trial of $NAME $VERSION failed: $1; going back to the previous version"
  if mount_boot && read_state; then
    echo "$1" >$BOOT/yoke/trial.why.new && mv $BOOT/yoke/trial.why.new $BOOT/yoke/trial.why
    write_state "$good" "$trial" 0 "$failed"
  fi
  stop_disks
  reboot -f
  sleep 60
}

refuse() {
  say "refused ${1##*/}: $2"
  rm -rf $WORK
  case "$1" in "$MEDIUM"/*) return 1 ;; esac
  mkdir -p "$UPDATES/refused"
  # The reason is on disk before the package moves, and the move before anything else happens:
  # a power cut must not leave a moved package without its reason (or retry a refused one).
  echo "$2" >"$UPDATES/refused/${1##*/}.reason"
  sync
  mv "$1" "$UPDATES/refused/" 2>/dev/null
  sync
  return 1
}

# Value of a manifest key (the rest of its line).
field() { awk -v k="$1" '$1 == k { sub(/^[^ ]+ /, ""); print; exit }' $WORK/manifest; }

# Writes the package's files into $dest (diff entries rebuilt from the running slot $cur); on
# failure $why may say why. A root image goes to the other slot's root partition; a root patch's
# base is $rootat (the root the step before wrote there, in a bundle), else the running slot's
# root partition (its first OLDSIZE bytes).
install_files() {
  pkg=$1; cur=$2; dest=$3; why=
  while read -r kind f sum extra oldsum oldsize; do
    case "$kind" in file|patch|same|root|rootpatch) ;; *) continue ;; esac
    case "$f" in */*|.*|"") say "bad file name $f"; return 1 ;; esac
    out="$dest/$f"
    case "$kind" in
      root)
        root_out "$extra" || return 1
        say "writing the root filesystem to $out"
        tar -xOf "$pkg" "$f" | dd of="$out" bs=1M conv=fsync 2>/dev/null || return 1
        rootat=$out ;;
      rootpatch)
        root_out "$extra" || return 1
        old=$rootat
        [ -n "$old" ] || old=$(root_dev "$SLOT") || { why="the running slot's root partition root-$SLOT is not found"; return 1; }
        [ "$(head -c "$oldsize" "$old" | sha256sum | cut -d" " -f1)" = "$oldsum" ] || { why="this appliance's root filesystem is not the one the diff package was made against"; return 1; }
        say "writing the root filesystem to $out (patched from ${rootat:+the step before: }the running one)"
        tar -xOf "$pkg" "$f.zpatch" >$WORK/patch && $UNPATCH "$old" $WORK/patch "$out" "$oldsize" || return 1
        rm -f $WORK/patch
        rootat=$out ;;
      file) tar -xOf "$pkg" "$f" >"$out" || return 1 ;;
      same|patch)
        old="$cur/$f"
        [ "$(sha256sum "$old" 2>/dev/null | cut -d" " -f1)" = "$extra" ] || { say "this appliance's $f is not the one the diff package was made against"; return 1; }
        if [ "$kind" = same ]; then cp "$old" "$out" || return 1
        else tar -xOf "$pkg" "$f.zpatch" >$WORK/patch && $UNPATCH "$old" $WORK/patch "$out" || return 1; rm -f $WORK/patch; fi ;;
    esac
  done <$WORK/manifest
}

# Every file of the manifest, read back from the disk (not the page cache), against its checksum.
verify_files() {
  sync; echo 3 >/proc/sys/vm/drop_caches
  while read -r kind f sum extra rest; do
    case "$kind" in
      file|patch|same) [ "$(sha256sum "$1/$f" 2>/dev/null | cut -d" " -f1)" = "$sum" ] || { say "$f reads back wrong from the disk"; return 1; } ;;
      root|rootpatch)
        root_out "$extra" || return 1
        [ "$(head -c "$extra" "$out" | sha256sum | cut -d" " -f1)" = "$sum" ] || { say "the root filesystem reads back wrong from $out"; return 1; } ;;
    esac
  done <$WORK/manifest
}

# Checks the signed package $1 (its manifest goes to $WORK/manifest) and that its version is newer
# than $2. On refusal: returns 1 with the reason in $why ($old set when it is simply not newer).
check_package() {
  why=; old=
  rm -f $WORK/manifest $WORK/manifest.sig
  tar -xf "$1" -C $WORK manifest manifest.sig 2>/dev/null || { why="not a Yoke update package (no manifest)"; return 1; }
  # The verifier reads at most 1 MiB of manifest (resources/guest/src/yoke-verify.c); a bigger one
  # is refused as what it is, not as a bad signature.
  msz=$(wc -c <$WORK/manifest)
  [ "$msz" -le 1048576 ] || { why="its manifest is $msz bytes, over the 1 MiB an update package may carry (the signature was not even checked); make the package again with yoke build"; return 1; }
  $VERIFY $PUB $WORK/manifest.sig $WORK/manifest 2>/dev/null || { why="bad signature: not signed with $NAME's update key (tampered, or made for another appliance)"; return 1; }
  [ "$(field yoke-update)" = 1 ] || { why="unknown package format $(field yoke-update)"; return 1; }
  [ "$(field appliance)" = "$NAME" ] || { why="made for $(field appliance), this is $NAME"; return 1; }
  new=$(field version)
  [ "$(vercmp "$new" "$2")" = 1 ] || { old=1; why="version $new is not newer than the running $2 (no downgrades)"; return 1; }
  grep -q "^file slot.cfg.in \|^same slot.cfg.in \|^patch slot.cfg.in " $WORK/manifest || { why="it carries no slot.cfg.in (made for an older Yoke's single-slot disk)"; return 1; }
  if grep -q "^root \|^rootpatch " $WORK/manifest && ! root_dev "$(other "$SLOT")" >/dev/null; then
    why="$new keeps its root filesystem on a partition of its own, and this appliance's OS disk has none (its version was built on another base); replace its OS disk instead"; return 1
  fi
}

# Copies the files of $1 (a finished tree) into the other slot, reads them back, writes the slot's
# entry, names it the trial and reboots. $2 is the package or bundle the files came from.
install_slot() {
  dest=$BOOT/$(other "$SLOT")
  # The other slot is emptied first (apply_one wrote straight into it): its slot.cfg goes last,
  # so a half-written slot is never bootable.
  if [ "$1" != "$dest" ]; then
    rm -rf "$dest"; mkdir -p "$dest"
    cp "$1"/* "$dest/" || { rm -rf "$dest"; mkdir -p "$dest"; refuse "$2" "the boot partition has no room for it"; return; }
  fi
  why=
  if ! verify_files "$dest"; then
    rm -rf "$dest"; mkdir -p "$dest"
    refuse "$2" "${why:-its files could not be installed (a file is corrupt or does not match its checksum)}"; return
  fi
  sed "s/$SLOT_MARK/$(other "$SLOT")/g" "$dest/slot.cfg.in" >"$dest/slot.cfg.new" && sync && mv "$dest/slot.cfg.new" "$dest/slot.cfg" && sync || { refuse "$2" "cannot write its boot entry"; return; }
  # The package moves before the boot state names the trial: a power cut in between leaves a
  # package in trial/ with no trial pending, which the next boot puts back to be installed again.
  case "$2" in "$MEDIUM"/*) ;; *) mkdir -p "$UPDATES/trial" && mv "$2" "$UPDATES/trial/" && sync ;; esac
  rm -f $BOOT/yoke/trial.why
  say "writing the boot state: slot $(other "$SLOT") on trial"
  write_state "$SLOT" "$(other "$SLOT")" "$TRIES" "" || { say "could not write the boot state; staying on $VERSION"; return 1; }
  rm -rf $WORK
  say "applied $NAME $new (was $VERSION); rebooting into it on trial"
  stop_disks
  reboot -f
  sleep 60
}

# True (and said) when $1 is on the update medium and version $2 rolled back here before: a medium
# stays attached after its update rolled back, and installing it again would loop (install, trial,
# roll back) on every boot. Deleting the reason lets it try once more.
rolled_back_before() {
  case "$1" in "$MEDIUM"/*) ;; *) return 1 ;; esac
  [ -n "$UPDATES" ] && [ -f "$UPDATES/failed/$NAME-$2.reason" ] || return 1
  say "not installing $NAME $2 from the update medium: it rolled back before ($UPDATES/failed/$NAME-$2.reason says why; delete that file to try again)"
  rm -rf $WORK
}

apply_one() {
  pkg=$1; rootat=
  rm -rf $WORK; mkdir -p $WORK
  if tar -xf "$pkg" -C $WORK bundle 2>/dev/null; then apply_bundle "$pkg"; return; fi
  if ! check_package "$pkg" "$VERSION"; then
    # A medium stays attached after its update is installed: its package is simply not news.
    case "$pkg" in "$MEDIUM"/*) [ -n "$old" ] && { rm -rf $WORK; return 1; } ;; esac
    refuse "$pkg" "$why"; return
  fi
  rolled_back_before "$pkg" "$new" && return 1
  dest=$BOOT/$(other "$SLOT")
  say "installing $NAME $new from ${pkg##*/} into slot $(other "$SLOT") (keeping the running $VERSION in slot $SLOT)"
  rm -rf "$dest"; mkdir -p "$dest"
  install_files "$pkg" "$BOOT/$SLOT" "$dest" || { rm -rf "$dest"; mkdir -p "$dest"; refuse "$pkg" "${why:-its files could not be installed (a file is corrupt or does not match its checksum)}"; return; }
  install_slot "$dest" "$pkg"
}

# A bundle: its steps applied one after the other in memory (each from the tree the step before
# made, the first from the running slot), steps the appliance already runs skipped; the last
# tree goes into the other slot like a package's files.
apply_bundle() {
  # Names of their own: install_files sets pkg, cur, dest and out.
  bundle=$1
  b=$WORK/bundle
  [ "$(awk '$1 == "yoke-bundle" { print $2 }' $b)" = 1 ] || { refuse "$bundle" "unknown bundle format"; return; }
  [ "$(awk '$1 == "appliance" { print $2 }' $b)" = "$NAME" ] || { refuse "$bundle" "a bundle for $(awk '$1 == "appliance" { print $2 }' $b), this is $NAME"; return; }
  from=$BOOT/$SLOT; at=$VERSION; n=0; done=0
  for s in $(awk '$1 == "step" { print $2 }' $b); do
    n=$((n + 1))
    case "$s" in */*|.*|"") refuse "$bundle" "step $n has a bad file name"; return ;; esac
    tar -xf "$bundle" -C $WORK "$s" 2>/dev/null || { refuse "$bundle" "step $n ($s) is missing from the bundle"; return; }
    if ! check_package "$WORK/$s" "$at"; then
      rm -f "$WORK/$s"
      # Steps up to the running version are already installed here.
      [ -n "$old" ] && [ "$done" = 0 ] && continue
      refuse "$bundle" "step $n ($s): $why"; return
    fi
    say "bundle step $n: $NAME $new from $s"
    stepdir=$WORK/step$n; mkdir -p $stepdir
    install_files "$WORK/$s" "$from" "$stepdir" || { refuse "$bundle" "step $n ($s) could not be applied to $at${why:+: $why}"; return; }
    rm -f "$WORK/$s"
    [ "$from" = "$BOOT/$SLOT" ] || rm -rf "$from"
    from=$stepdir; at=$new; done=$((done + 1))
  done
  [ "$done" -gt 0 ] || { case "$bundle" in "$MEDIUM"/*) rm -rf $WORK; return 1 ;; esac; refuse "$bundle" "every step is a version this appliance already runs or is newer than (no downgrades)"; return; }
  rolled_back_before "$bundle" "$at" && return 1
  say "installing $NAME $at from ${bundle##*/} ($done steps) into slot $(other "$SLOT") (keeping the running $VERSION in slot $SLOT)"
  install_slot "$from" "$bundle"
}

# Writes a rollback that the trial step found into <data>/updates/failed/.
record_rollback() {
  [ -f /run/yoke/rolledback ] || return 0
  [ -n "$UPDATES" ] && grep -q " $DATA " /proc/mounts || return 0
  mkdir -p "$UPDATES/failed"
  ver=$(head -n 1 /run/yoke/rolledback)
  found=
  for p in "$UPDATES"/trial/*.yup; do
    [ -f "$p" ] || continue
    tail -n +2 /run/yoke/rolledback >"$UPDATES/failed/${p##*/}.reason"; sync
    mv "$p" "$UPDATES/failed/"; found=1
  done
  [ -n "$found" ] || tail -n +2 /run/yoke/rolledback >"$UPDATES/failed/$NAME-$ver.reason"
  sync
  mount_boot && rm -f $BOOT/yoke/trial.why
  rm -f /run/yoke/rolledback
}

# The appliance's own checks (upgrade.commit-checks), if it has them: run until they pass, ten
# times 3 s apart (a service may still be warming up); the last failure is printed if they never do.
commit_checks() {
  [ -f "$COMMIT_CHECKS" ] || return 0
  n=0
  while :; do
    out=$(sh "$COMMIT_CHECKS" 2>&1) && return 0
    n=$((n + 1))
    [ "$n" -lt 10 ] || { echo "$out"; return 1; }
    sleep 3
  done
}

# The first /etc/fstab entry that is not mounted, as a sentence (nothing when all are).
unmounted() {
  while read -r spec mp type opts rest; do
    case "$spec" in ""|"#"*) continue ;; esac
    case ",$opts," in *,noauto,*) continue ;; esac
    [ "$mp" = none ] || [ "$type" = swap ] && continue
    grep -q " $mp " /proc/mounts || { echo "$spec is not mounted on $mp"; return; }
  done </etc/fstab
}

medium_packages() {
  dev=$(findfs LABEL="$MEDIUM_LABEL" 2>/dev/null)
  [ -b "$dev" ] || return 0
  load_fat
  mkdir -p $MEDIUM
  grep -q " $MEDIUM " /proc/mounts || mount -t vfat -o ro "$dev" $MEDIUM || { say "cannot read the update medium $dev"; return 0; }
  say "update medium $dev attached"
}

case "$1" in
  trial)
    [ -n "$SLOT" ] || exit 0
    mount_boot || { say "cannot mount the boot partition (LABEL=YOKE)"; exit 0; }
    whole=1; read_state || whole=
    if on_trial && [ "$trial" = "$SLOT" ]; then
      say "trial boot of $NAME $VERSION in slot $SLOT ($tries more tries after this one); the previous version comes back unless this one is ready within $TRIAL_READY_S s"
      ( sleep "$TRIAL_READY_S"; [ -e /run/yoke/committed ] || fail_trial "not ready within $TRIAL_READY_S s" ) &
    elif [ -n "$failed" ] || { [ -n "$trial" ] && [ "$trial" != "$SLOT" ]; }; then
      bad=${failed:-$trial}
      ver=$(slot_version "$bad")
      why=$(cat $BOOT/yoke/trial.why 2>/dev/null)
      if [ -z "$why" ]; then
        if [ -n "$failed" ]; then why="it did not become ready in $TRIES boots (the kernel panicked, hung, or lost power before ready)"
        else why="the boot loader could not start its kernel and fell back to the committed slot"; fi
      fi
      write_state "$SLOT" "" "" ""
      printf '%s\n%s\n' "$ver" "$why" >/run/yoke/rolledback
      say "rolled back from $NAME ${ver:-?} to $VERSION: $why"
    elif [ -z "$trial" ] && [ "$good" != "$SLOT" ]; then
      # GRUB's last fallback: the committed slot's kernel would not load (a damaged disk).
      write_state "$SLOT" "" "" ""
      say "the committed slot $good did not start; slot $SLOT ($NAME $VERSION) is the committed one now"
    elif [ -z "$whole" ]; then
      # Neither copy was whole (both torn): write a whole state naming the running, committed slot.
      write_state "$SLOT" "" "" ""
      say "the boot state was damaged; rewrote it for slot $SLOT"
    fi
    umount_boot
    ;;
  apply)
    [ -n "$SLOT" ] || exit 0
    mount_boot || exit 0
    record_rollback
    if on_trial; then
      # A trial that cannot mount what fstab lists goes back now, before its services touch anything.
      problem=$(unmounted)
      umount_boot
      [ -z "$problem" ] || fail_trial "$problem"
      exit 0
    fi
    read_state
    if [ -n "$UPDATES" ] && [ -d "$UPDATES/trial" ] && [ -z "$trial" ]; then
      for p in "$UPDATES"/trial/*.yup; do [ -f "$p" ] && mv "$p" "$UPDATES/" && say "installing ${p##*/} again: its install was interrupted"; done
      sync
    fi
    medium_packages
    # Packages dropped on the data disk first, then the medium's; the first one installed reboots.
    for pkg in ${UPDATES:+"$UPDATES"/*.yup} "$MEDIUM"/*.yup; do
      [ -f "$pkg" ] && apply_one "$pkg"
    done
    grep -q " $MEDIUM " /proc/mounts && umount $MEDIUM
    umount_boot
    exit 0
    ;;
  commit)
    on_trial || exit 0
    mount_boot && read_state && [ "$trial" = "$SLOT" ] || { umount_boot; exit 0; }
    umount_boot
    sleep "$SETTLE_S"
    problem=$(unmounted)
    if [ -z "$problem" ]; then
      for s in $(cat /run/yoke/services.order 2>/dev/null); do
        read -r n rc <$SERVICE_DIR/$s.exits 2>/dev/null
        [ "$n" = 0 ] && kill -0 "$(cat $SERVICE_DIR/$s.pid 2>/dev/null)" 2>/dev/null && continue
        problem="service $s did not stay up for $SETTLE_S s (exited ${n:-?} times, last status ${rc:-?})"; break
      done
    fi
    [ -n "$problem" ] || problem=$(commit_checks)
    [ -z "$problem" ] || fail_trial "$problem"
    mount_boot && read_state && write_state "$SLOT" "" "" "" || fail_trial "cannot write the boot state"
    touch /run/yoke/committed
    if [ -n "$UPDATES" ] && [ -d "$UPDATES/trial" ]; then
      mkdir -p "$UPDATES/applied"
      for p in "$UPDATES"/trial/*.yup; do [ -f "$p" ] && mv "$p" "$UPDATES/applied/"; done
      sync
    fi
    umount_boot
    say "committed $NAME $VERSION in slot $SLOT: it boots from now on"
    ;;
  *) echo "usage: yoke-update trial|apply|commit" >&2; exit 2 ;;
esac
exit 0
