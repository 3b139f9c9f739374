// The boot loader's pure parts: the boot state block both GRUB and the appliance write, the one
// grub.cfg's count-down, a slot's entry, and the two sectors grub-install would have patched.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { earlyConfig, envBlock, fillSlotTemplate, grubCfg, INITIAL_STATE, lockSums, parseEnvBlock, patchedBootSector, patchedCoreImg, slotCfg, slotVersion, SLOT_PLACEHOLDER, TRIAL_TRIES } from '../../../src-main/build/boot-loader';
import { grubBootImg } from '../../../src-main/tools/grub';

describe('the boot state block', () => {
  it('is exactly 1024 bytes in GRUB environment format and reads back', () => {
    const b = envBlock({ ...INITIAL_STATE, yoke_trial: 'b', yoke_tries: '3' });
    expect(b.length).toBe(1024);
    expect(b.toString('latin1')).toMatch(/^# GRUB Environment Block\nyoke_good=a\nyoke_trial=b\nyoke_tries=3\nyoke_failed=\n#+$/);
    expect(parseEnvBlock(b)).toEqual({ yoke_good: 'a', yoke_trial: 'b', yoke_tries: '3', yoke_failed: '' });
  });
  it('a torn block (short, or without its header) is not a state', () => {
    const b = envBlock(INITIAL_STATE);
    expect(parseEnvBlock(b.subarray(0, 512))).toBeNull();
    const torn = Buffer.from(b);
    torn.fill(0, 0, 512);
    expect(parseEnvBlock(torn)).toBeNull();
  });
  it('refuses values GRUB would have to escape', () => {
    expect(() => envBlock({ yoke_good: 'a\nb' })).toThrow(/not plain/);
  });
  it('the lock checksum GRUB checks is that of a clean lock ("0")', () => {
    expect(lockSums()).toBe('5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9  lock\n');
  });
});

describe('grub.cfg', () => {
  const cfg = grubCfg();
  it('takes the first whole copy of the boot state, env1 before env2', () => {
    expect(cfg.indexOf('-p /yoke/env1')).toBeLessThan(cfg.indexOf('-p /yoke/env2'));
    expect(cfg).toContain('load_env -f $yoke_env');
  });
  it(`counts a trial down from ${TRIAL_TRIES} and then marks it failed and boots the committed slot`, () => {
    for (let n = TRIAL_TRIES; n >= 1; n--) expect(cfg).toContain(`[ "$yoke_tries" = ${n} ]; then set yoke_tries=${n - 1}; set yoke_boot=$yoke_trial`);
    expect(cfg).toContain('else set yoke_failed=$yoke_trial; set yoke_trial=; set yoke_tries=');
    // Saved to both copies, and only inside the trial branch: a committed system's boots write nothing.
    const trialBranch = cfg.slice(cfg.indexOf('if [ -n "$yoke_trial" ]'), cfg.indexOf('if [ -f /yoke/control ]'));
    expect(trialBranch.match(/save_env -f \/yoke\/env[12]\/grubenv/g)).toHaveLength(2);
    expect(cfg.replace(trialBranch, '')).not.toContain('save_env');
  });
  it('falls back to the committed slot when the trial kernel does not load, and panics reboot a trial', () => {
    expect(cfg).toContain('set fallback="1 2"');
    expect(cfg).toMatch(/menuentry "yoke \(other slot\)" \{\n {2}if \[ "\$yoke_good" = b \]; then set yoke_slot=a; else set yoke_slot=b; fi/);
    expect(cfg).toMatch(/menuentry "yoke \(committed slot\)" \{\n {2}set yoke_slot=\$yoke_good\n {2}set yoke_args=\n/);
    expect(cfg).toContain('set yoke_args="yoke.trial=1 panic=5"');
  });
  it('finds its partition by the FAT volume id', () => {
    expect(earlyConfig('36bc7fed')).toContain('search --no-floppy --fs-uuid --set=root 36BC-7FED');
  });
});

describe('a slot entry', () => {
  const template = slotCfg({ appliance: 'hello-web', version: '1.2.0', slot: SLOT_PLACEHOLDER, kernel: 'vmlinuz', initrds: ['base.zst', 'rootfs.zst'], cmdline: 'console=ttyS0' });
  it('names its version, and boots through GRUB under BIOS and the kernel stub under UEFI', () => {
    const b = fillSlotTemplate(template, 'b');
    expect(slotVersion(b)).toEqual({ appliance: 'hello-web', version: '1.2.0' });
    expect(b).toContain('  linux /b/vmlinuz console=ttyS0 yoke.slot=b $yoke_args $yoke_control\n  initrd /b/base.zst /b/rootfs.zst\n');
    expect(b).toContain("  chainloader /b/vmlinuz console=ttyS0 yoke.slot=b $yoke_args $yoke_control 'initrd=\\b\\base.zst' 'initrd=\\b\\rootfs.zst'\n");
    expect(b).not.toContain(SLOT_PLACEHOLDER);
  });
});

describe("grub-install's patches, done on bytes", () => {
  it('points boot.img at core.img and core.img at its own second sector', () => {
    const boot = patchedBootSector(fs.readFileSync(grubBootImg()), 2048);
    expect(boot.length).toBe(440);
    expect(boot.readBigUInt64LE(0x5c)).toBe(2048n);
    expect(boot[0x64]).toBe(0xff);
    expect([boot[0x66], boot[0x67]]).toEqual([0x90, 0x90]);
    const core = patchedCoreImg(Buffer.alloc(4096), 2048);
    expect(core.readBigUInt64LE(0x1f4)).toBe(2049n);
    expect(() => patchedBootSector(Buffer.alloc(100), 1)).toThrow(/not 512/);
  });
});
