// The OS disk's boot loader: GRUB with two OS slots and boot counting, one grub.cfg for BIOS and
// UEFI. What it decides and why (shared/design/debian-base-facts.md, "A/B slots"):
// - Slots are folders on the boot partition (/a, /b), each with its kernel, initrds and a
//   slot.cfg naming them; a Debian base's slot also names its own root partition.
// - The boot state is a GRUB environment block kept twice (/yoke/env1, /yoke/env2), each with a
//   one-byte lock file that reads "0" only while its copy is whole: the guest writes lock "1",
//   the block, lock "0", copy 1 before copy 2, so a power cut leaves at least one whole copy
//   and GRUB takes the first whole one (Mender's two-copy scheme). Without either, GRUB boots
//   slot a, the slot the disk was built with.
// - Counting only while a trial is pending (counting every boot would switch a long-good system
//   on quick power cycles: rauc/rauc#490). GRUB has no arithmetic: the count goes down by if/elif.
// - A trial kernel that will not load falls through to the `fallback` entry, the committed slot;
//   a committed kernel that will not load, to the other slot (the guest then commits to it).
import crypto from 'node:crypto';

/** GRUB's environment block: exactly 1024 bytes, a header, key=value lines, '#' padding. */
export const ENV_BLOCK_SIZE = 1024;
const ENV_HEADER = '# GRUB Environment Block\n';

/** Paths on the boot partition, shared by the build, grub.cfg and the guest's updater. */
export const BOOT_PATHS = {
  grubCfg: '/boot/grub/grub.cfg',
  efi: '/EFI/BOOT/BOOTX64.EFI',
  envDirs: ['/yoke/env1', '/yoke/env2'],
  lockSums: '/yoke/lock.sha256',
  /** Present on test copies only: GRUB adds the control flag (a shipped disk never has it). */
  control: '/yoke/control',
  /** Why the last trial failed, written by the trial OS before it gives up (read by the committed one). */
  trialWhy: '/yoke/trial.why',
} as const;

export const SLOTS = ['a', 'b'] as const;
export const SLOT_PLACEHOLDER = '%SLOT%';
/** Each slot holds its entry twice: slot.cfg (read by GRUB) and slot.cfg.in (the template, carried by update packages). */
export const SLOT_TEMPLATE = 'slot.cfg.in';
export type Slot = (typeof SLOTS)[number];

/** How often a trial slot is started before GRUB goes back to the committed one (RAUC's default). */
export const TRIAL_TRIES = 3;
/** Seconds a trial kernel's panic waits before rebooting (then GRUB counts the next try). */
export const TRIAL_PANIC_S = 5;
/**
 * What a trial boot adds to the kernel command line. Not softlockup_panic/hung_task_panic: a VM
 * paused or starved by a busy host reports soft lockups that are not, and a good update would
 * go back for them.
 */
export const TRIAL_KERNEL_ARGS = `yoke.trial=1 panic=${TRIAL_PANIC_S}`;

/** The lock byte of a whole copy; its SHA-256 is what GRUB checks (it cannot compare file contents). */
export const LOCK_CLEAN = '0';

export function envBlock(vars: Record<string, string>): Buffer {
  let text = ENV_HEADER;
  for (const [k, v] of Object.entries(vars)) {
    if (!/^[a-z_][a-z0-9_]*$/.test(k) || /[\n\\]/.test(v)) throw new Error(`GRUB environment entry ${k}=${v} is not plain.`);
    text += `${k}=${v}\n`;
  }
  if (text.length > ENV_BLOCK_SIZE) throw new Error('GRUB environment block overflows 1024 bytes.');
  return Buffer.from(text.padEnd(ENV_BLOCK_SIZE, '#'), 'latin1');
}

/** Reads a block back (host side: tests, the exported-disk check). Null when it is not a whole block. */
export function parseEnvBlock(buf: Buffer): Record<string, string> | null {
  if (buf.length !== ENV_BLOCK_SIZE) return null;
  const text = buf.toString('latin1');
  if (!text.startsWith(ENV_HEADER)) return null;
  const out: Record<string, string> = {};
  for (const line of text.slice(ENV_HEADER.length).split('\n')) {
    const m = /^([a-z_][a-z0-9_]*)=(.*)$/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** The boot state of a freshly built disk: slot a committed, nothing on trial. */
export const INITIAL_STATE = { yoke_good: 'a', yoke_trial: '', yoke_tries: '', yoke_failed: '' };

/** Lines for GRUB's sha256sum --check: the clean lock, relative to each copy's folder. */
export function lockSums(): string {
  return `${crypto.createHash('sha256').update(LOCK_CLEAN).digest('hex')}  lock\n`;
}

/**
 * Built into both GRUB images: find the boot partition by its FAT volume id (hd numbers differ
 * between BIOS, UEFI and hypervisors), then read grub.cfg from it.
 */
export function earlyConfig(volumeId: string): string {
  const uuid = `${volumeId.slice(0, 4)}-${volumeId.slice(4)}`.toUpperCase();
  return [`search --no-floppy --fs-uuid --set=root ${uuid}`, 'set prefix=($root)/boot/grub', `configfile ($root)${BOOT_PATHS.grubCfg}`, ''].join('\n');
}

const STATE_VARS = 'yoke_good yoke_trial yoke_tries yoke_failed';

/** The one grub.cfg, the same on every Yoke disk: all per-build facts live in the slots' slot.cfg. */
export function grubCfg(): string {
  const [env1, env2] = BOOT_PATHS.envDirs;
  const save = BOOT_PATHS.envDirs.map((d) => `  save_env -f ${d}/grubenv ${STATE_VARS}`);
  const countdown: string[] = [];
  for (let n = TRIAL_TRIES; n >= 1; n--) countdown.push(`  ${n === TRIAL_TRIES ? 'if' : 'elif'} [ "$yoke_tries" = ${n} ]; then set yoke_tries=${n - 1}; set yoke_boot=$yoke_trial`);
  return [
    "# Yoke's boot loader configuration (src-main/build/boot-loader.ts explains it). Do not edit:",
    '# the appliance rewrites only /yoke/env1/grubenv and /yoke/env2/grubenv, in place.',
    'set timeout=0',
    'set yoke_env=',
    `if sha256sum -c ${BOOT_PATHS.lockSums} -p ${env1}; then set yoke_env=${env1}/grubenv`,
    `elif sha256sum -c ${BOOT_PATHS.lockSums} -p ${env2}; then set yoke_env=${env2}/grubenv`,
    'else echo "yoke: neither boot state copy is whole; starting slot a"',
    'fi',
    'if [ -n "$yoke_env" ]; then load_env -f $yoke_env; fi',
    'if [ "$yoke_good" != b ]; then set yoke_good=a; fi',
    'set yoke_boot=$yoke_good',
    'if [ -n "$yoke_trial" ]; then',
    ...countdown,
    '  else set yoke_failed=$yoke_trial; set yoke_trial=; set yoke_tries=',
    '  fi',
    ...save,
    'fi',
    `if [ -f ${BOOT_PATHS.control} ]; then set yoke_control=yoke.control=1; else set yoke_control=; fi`,
    'set default=0',
    // The committed slot if the first entry's kernel will not load; the other slot if that fails too.
    'set fallback="1 2"',
    'menuentry "yoke" {',
    '  set yoke_slot=$yoke_boot',
    `  if [ "$yoke_boot" != "$yoke_good" ]; then set yoke_args="${TRIAL_KERNEL_ARGS}"; else set yoke_args=; fi`,
    '  source /$yoke_slot/slot.cfg',
    '}',
    'menuentry "yoke (committed slot)" {',
    '  set yoke_slot=$yoke_good',
    '  set yoke_args=',
    '  source /$yoke_slot/slot.cfg',
    '}',
    // A committed kernel that does not load (a damaged disk): the previous version, if a slot holds one.
    'menuentry "yoke (other slot)" {',
    '  if [ "$yoke_good" = b ]; then set yoke_slot=a; else set yoke_slot=b; fi',
    '  set yoke_args=',
    '  if [ -f /$yoke_slot/slot.cfg ]; then source /$yoke_slot/slot.cfg; fi',
    '}',
    '',
  ].join('\n');
}

export interface SlotInfo {
  appliance: string;
  version: string;
  /** '%SLOT%' in the template an update package carries (the updater fills in the slot it writes). */
  slot: Slot | typeof SLOT_PLACEHOLDER;
  /** File names inside the slot's folder: the kernel first, then the initrds in load order. */
  kernel: string;
  initrds: string[];
  cmdline: string;
}

/**
 * A slot's own entry: sourced by grub.cfg with $yoke_args (trial flags) and $yoke_control set.
 * Under UEFI the kernel's own EFI stub loads it and its initrds (chainloader): GRUB 2.06's EFI
 * `linux` command runs out of memory placing the kernel in a 256 MiB VM (measured under OVMF);
 * the stub reads initrd= paths from the same partition, backslashes quoted from GRUB's parser.
 */
export function slotCfg(s: SlotInfo): string {
  const dir = `/${s.slot}`;
  const args = `${s.cmdline} yoke.slot=${s.slot} $yoke_args $yoke_control`;
  return [
    `# yoke-slot ${s.appliance} ${s.version}`,
    `echo "${s.appliance} ${s.version} (slot ${s.slot})"`,
    'if [ "$grub_platform" = efi ]; then',
    `  chainloader ${dir}/${s.kernel} ${args} ${s.initrds.map((n) => `'initrd=\\${s.slot}\\${n}'`).join(' ')}`,
    'else',
    `  linux ${dir}/${s.kernel} ${args}`,
    `  initrd ${s.initrds.map((n) => `${dir}/${n}`).join(' ')}`,
    'fi',
    '',
  ].join('\n');
}

/** A slot's entry for slot `slot`, from its template. */
export function fillSlotTemplate(template: string, slot: Slot): string {
  return template.split(SLOT_PLACEHOLDER).join(slot);
}

/** The version a slot.cfg says it holds (host side). */
export function slotVersion(text: string): { appliance: string; version: string } | null {
  const m = /^# yoke-slot (\S+) (\S+)$/m.exec(text);
  return m ? { appliance: m[1], version: m[2] } : null;
}

// grub-install's work for a BIOS disk, done on a file (what grub-setup patches; the offsets are
// GRUB's boot.S and diskboot.S: GRUB_BOOT_MACHINE_KERNEL_SECTOR 0x5c, BOOT_DRIVE 0x64,
// DRIVE_CHECK 0x66, and diskboot's first blocklist entry 12 bytes before its sector's end).
// Hand-written because grub-install/grub-bios-setup want root and a block device.
const KERNEL_SECTOR = 0x5c;
const BOOT_DRIVE = 0x64;
const DRIVE_CHECK = 0x66;
const BLOCKLIST_START = 0x200 - 12;

/** The MBR's first 440 bytes: boot.img pointing at core.img's first sector. */
export function patchedBootSector(bootImg: Buffer, coreSector: number): Buffer {
  if (bootImg.length !== 512) throw new Error(`GRUB's boot.img is ${bootImg.length} bytes, not 512.`);
  const b = Buffer.from(bootImg.subarray(0, 440));
  b.writeBigUInt64LE(BigInt(coreSector), KERNEL_SECTOR);
  b[BOOT_DRIVE] = 0xff; // use the drive the BIOS booted from
  b[DRIVE_CHECK] = 0x90; // nop out the floppy/hard-disk probe, as grub-setup does for hard disks
  b[DRIVE_CHECK + 1] = 0x90;
  return b;
}

/** core.img with diskboot's blocklist pointing at the rest of itself (it follows its first sector). */
export function patchedCoreImg(core: Buffer, coreSector: number): Buffer {
  const c = Buffer.from(core);
  c.writeBigUInt64LE(BigInt(coreSector + 1), BLOCKLIST_START);
  return c;
}
