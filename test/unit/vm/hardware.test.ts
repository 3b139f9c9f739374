import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { declaredFamilies, HARDWARE_VARIANTS, hardwareVariant, selectVariants } from '../../../src-main/vm/hardware';
import { missingDevices } from '../../../src-main/vm/hardware-support';
import { parseDeviceHelp } from '../../../src-main/tools/qemu-devices';
import { upgradeHardware } from '../../../src-main/jobs/upgrade-test';

describe('hardware profiles', () => {
  it('an ova, vmdk or vdi output declares VirtualBox and VMware; virtio is always there', () => {
    expect(declaredFamilies(undefined, ['raw', 'qcow2'])).toEqual(['virtio']);
    expect(declaredFamilies(undefined, ['raw', 'ova'])).toEqual(['virtio', 'virtualbox', 'vmware']);
    expect(declaredFamilies(['vmware'], ['raw'])).toEqual(['virtio', 'vmware']);
    expect(declaredFamilies(['virtualbox'], ['vdi'])).toEqual(['virtio', 'virtualbox', 'vmware']);
  });

  it('--hardware takes a variant, a family, or all of the declared families', () => {
    expect(selectVariants('vmware-pvscsi', ['virtio']).map((v) => v.name)).toEqual(['vmware-pvscsi']);
    expect(selectVariants('virtualbox', ['virtio']).map((v) => v.name)).toEqual(['virtualbox-ide', 'virtualbox-sata']);
    expect(selectVariants('all', ['virtio', 'vmware']).map((v) => v.name)).toEqual(['virtio', 'vmware-ide', 'vmware-pvscsi']);
    expect(() => selectVariants('hyperv', ['virtio'])).toThrow(/Unknown hardware "hyperv"/);
  });

  it("this host's qemu emulates every profile (qemu-system-x86_64 -device help)", () => {
    const devices = parseDeviceHelp(execFileSync('qemu-system-x86_64', ['-device', 'help'], { encoding: 'utf8' }));
    expect(devices.has('e1000-82540em')).toBe(true); // an alias
    for (const v of HARDWARE_VARIANTS) expect(missingDevices(v, devices), v.name).toEqual([]);
    expect(missingDevices(hardwareVariant('vmware-pvscsi'), new Set(['scsi-hd']))).toEqual(['pvscsi', 'vmxnet3']);
  });

  it('an upgrade test takes one variant, swap only', () => {
    expect(upgradeHardware(undefined, 'package')).toBeUndefined();
    expect(upgradeHardware('vmware', 'swap')!.name).toBe('vmware-ide');
    expect(() => upgradeHardware('all', 'swap')).toThrow(/one hardware variant/);
    expect(() => upgradeHardware('virtualbox-sata', 'package')).toThrow(/needs --method swap/);
    expect(() => upgradeHardware('nope', 'swap')).toThrow(/Unknown hardware/);
  });
});
