// Hardware profiles as data: the machines an appliance is meant to run on (spec `vm.hardware`),
// each with the qemu devices that stand in for it, the PCI ids its guest sees (to choose kernel
// drivers) and what the OVF declares. The qemu driver code never branches on a profile: it asks
// the variant for its argv. Facts behind each entry: shared/design/hardware-facts.md.

/** The spec's `vm.hardware` values. */
export const HARDWARE_FAMILIES = ['virtio', 'virtualbox', 'vmware'] as const;
export type HardwareFamily = (typeof HARDWARE_FAMILIES)[number];

/** One PCI function the guest finds; class/subclass/prog-if pick class-matched drivers. */
export interface PciId {
  vendor: number;
  device: number;
  /** Base class, subclass and programming interface (PCI config bytes 0x0b, 0x0a, 0x09). */
  cls: [number, number, number];
  /** Who shows this id: the hypervisor itself, qemu's stand-in, or both. */
  seenOn: 'hypervisor' | 'qemu' | 'both';
  what: string;
}

export interface QemuDisk {
  /** qemu drive id, also the device's drive= reference. */
  id: 'os' | 'data' | 'medium';
  /** The image path, already escaped for qemu's option syntax (commas doubled). */
  file: string;
  format: string;
  snapshot?: boolean;
  /** 0 for the OS disk, 1 for the data disk: the slot the OVF declares (AddressOnParent); 2 for an update medium. */
  slot: number;
}

/** The -drive value for a disk on interface `iface` (virtio, or none when a -device attaches it). */
export function driveValue(d: QemuDisk, iface: string): string {
  return [`file=${d.file}`, `if=${iface}`, `format=${d.format}`, `id=${d.id}`, ...(d.snapshot ? ['snapshot=on'] : [])].join(',');
}

export interface HardwareVariant {
  /** Name used by `yoke test --hardware`, e.g. virtualbox-sata. */
  name: string;
  family: HardwareFamily;
  /** What this machine is, for humans. */
  title: string;
  disk: { controller: 'virtio' | 'ide' | 'sata' | 'pvscsi'; model: string };
  nic: { model: string; qemuDevice: string };
  firmware: 'bios';
  /** qemu devices this variant needs; checked against `qemu-system-x86_64 -device help`. */
  qemuDevices: string[];
  /** argv for the disk controller (if it is not on the board) and the disks, both on it. */
  diskArgs(disks: QemuDisk[]): string[];
  /** The -device for the NIC on netdev `netdev`. */
  nicArgs(netdev: string): string[];
  pci: PciId[];
  /**
   * Drivers no PCI id selects: the disk class driver (sd_mod turns SCSI/ATA devices into block
   * devices) or virtio's bus drivers (they bind virtio devices, not PCI ids).
   */
  classDrivers: string[];
}

const hex = (n: number) => n.toString(16).padStart(4, '0');
/** `8086:7111` style, as lspci prints it. */
export const pciName = (p: PciId) => `${hex(p.vendor)}:${hex(p.device)}`;

const ETHERNET: PciId['cls'] = [0x02, 0x00, 0x00];
const INTEL = 0x8086;
const VMWARE = 0x15ad;

/** Disks as `-drive if=none` plus a device each: the controller, not qemu's default, decides the bus. */
function attached(device: (d: QemuDisk) => string): (disks: QemuDisk[]) => string[] {
  return (disks) => disks.flatMap((d) => ['-drive', driveValue(d, 'none'), '-device', device(d)]);
}

const e1000_82540em: PciId = { vendor: INTEL, device: 0x100e, cls: ETHERNET, seenOn: 'both', what: 'Intel PRO/1000 MT Desktop (82540EM)' };
const e1000_82545em: PciId = { vendor: INTEL, device: 0x100f, cls: ETHERNET, seenOn: 'both', what: 'Intel PRO/1000 MT (82545EM)' };
// VirtualBox and VMware both show a PIIX4 IDE function; qemu's pc board has PIIX3. ata_piix drives both.
const piix4Ide: PciId = { vendor: INTEL, device: 0x7111, cls: [0x01, 0x01, 0x8a], seenOn: 'hypervisor', what: 'PIIX4 IDE' };
const piix3Ide: PciId = { vendor: INTEL, device: 0x7010, cls: [0x01, 0x01, 0x80], seenOn: 'qemu', what: 'PIIX3 IDE' };
// Two disks a channel: slots 0 and 1 on the primary (as the OVF declares), a third on the secondary.
const ideDisks = attached((d) => `ide-hd,drive=${d.id},bus=ide.${d.slot >> 1},unit=${d.slot & 1}`);

export const HARDWARE_VARIANTS: readonly HardwareVariant[] = [
  {
    name: 'virtio',
    family: 'virtio',
    title: 'qemu/KVM paravirtual (virtio-blk, virtio-net)',
    disk: { controller: 'virtio', model: 'virtio-blk' },
    nic: { model: 'virtio-net', qemuDevice: 'virtio-net-pci' },
    firmware: 'bios',
    qemuDevices: ['virtio-blk-pci', 'virtio-net-pci'],
    diskArgs: (disks) => disks.flatMap((d) => ['-drive', driveValue(d, 'virtio')]),
    nicArgs: (netdev) => ['-device', `virtio-net-pci,netdev=${netdev}`],
    pci: [
      { vendor: 0x1af4, device: 0x1001, cls: [0x01, 0x00, 0x00], seenOn: 'both', what: 'virtio block (transitional)' },
      { vendor: 0x1af4, device: 0x1000, cls: ETHERNET, seenOn: 'both', what: 'virtio network (transitional)' },
    ],
    classDrivers: ['virtio_blk', 'virtio_net'],
  },
  {
    name: 'virtualbox-ide',
    family: 'virtualbox',
    title: 'VirtualBox: PIIX IDE disks, Intel PRO/1000 MT Desktop (82540EM)',
    disk: { controller: 'ide', model: 'PIIX4 IDE (qemu: PIIX3)' },
    nic: { model: 'E1000 82540EM', qemuDevice: 'e1000' },
    firmware: 'bios',
    qemuDevices: ['ide-hd', 'e1000'],
    diskArgs: ideDisks,
    nicArgs: (netdev) => ['-device', `e1000,netdev=${netdev}`],
    pci: [piix4Ide, piix3Ide, e1000_82540em],
    classDrivers: ['sd_mod'],
  },
  {
    name: 'virtualbox-sata',
    family: 'virtualbox',
    title: 'VirtualBox: AHCI (SATA) disks, Intel PRO/1000 MT Desktop (82540EM)',
    disk: { controller: 'sata', model: 'AHCI' },
    nic: { model: 'E1000 82540EM', qemuDevice: 'e1000' },
    firmware: 'bios',
    qemuDevices: ['ich9-ahci', 'ide-hd', 'e1000'],
    diskArgs: (disks) => ['-device', 'ich9-ahci,id=ahci0', ...attached((d) => `ide-hd,drive=${d.id},bus=ahci0.${d.slot}`)(disks)],
    nicArgs: (netdev) => ['-device', `e1000,netdev=${netdev}`],
    pci: [
      { vendor: INTEL, device: 0x2829, cls: [0x01, 0x06, 0x01], seenOn: 'hypervisor', what: 'ICH8M AHCI (VirtualBox)' },
      { vendor: INTEL, device: 0x2922, cls: [0x01, 0x06, 0x01], seenOn: 'qemu', what: 'ICH9 AHCI (qemu)' },
      e1000_82540em,
    ],
    classDrivers: ['sd_mod'],
  },
  {
    name: 'vmware-ide',
    family: 'vmware',
    title: 'VMware: IDE disks, Intel PRO/1000 MT (82545EM)',
    disk: { controller: 'ide', model: 'PIIX4 IDE (qemu: PIIX3)' },
    nic: { model: 'E1000 82545EM', qemuDevice: 'e1000-82545em' },
    firmware: 'bios',
    qemuDevices: ['ide-hd', 'e1000-82545em'],
    diskArgs: ideDisks,
    nicArgs: (netdev) => ['-device', `e1000-82545em,netdev=${netdev}`],
    pci: [piix4Ide, piix3Ide, e1000_82545em],
    classDrivers: ['sd_mod'],
  },
  {
    name: 'vmware-pvscsi',
    family: 'vmware',
    title: 'VMware paravirtual: PVSCSI disks, VMXNET3',
    disk: { controller: 'pvscsi', model: 'VMware PVSCSI' },
    nic: { model: 'VMXNET3', qemuDevice: 'vmxnet3' },
    firmware: 'bios',
    qemuDevices: ['pvscsi', 'scsi-hd', 'vmxnet3'],
    diskArgs: (disks) => ['-device', 'pvscsi,id=scsi0', ...attached((d) => `scsi-hd,drive=${d.id},bus=scsi0.0,scsi-id=${d.slot}`)(disks)],
    nicArgs: (netdev) => ['-device', `vmxnet3,netdev=${netdev}`],
    pci: [
      { vendor: VMWARE, device: 0x07c0, cls: [0x01, 0x00, 0x00], seenOn: 'both', what: 'VMware PVSCSI' },
      { vendor: VMWARE, device: 0x07b0, cls: ETHERNET, seenOn: 'both', what: 'VMware VMXNET3' },
    ],
    classDrivers: ['sd_mod'],
  },
];

export function hardwareVariant(name: string): HardwareVariant {
  const v = HARDWARE_VARIANTS.find((x) => x.name === name);
  if (!v) {
    throw new Error(`Unknown hardware "${name}". Choose one of: ${HARDWARE_VARIANTS.map((x) => x.name).join(', ')}, or "all".`);
  }
  return v;
}

export function familyVariants(family: HardwareFamily): HardwareVariant[] {
  return HARDWARE_VARIANTS.filter((v) => v.family === family);
}

/** `--hardware NAME|all`: a variant name, a family (all its variants), or every variant of the declared families. */
export function selectVariants(choice: string, declared: readonly HardwareFamily[]): HardwareVariant[] {
  if (choice === 'all') return declared.flatMap(familyVariants);
  if ((HARDWARE_FAMILIES as readonly string[]).includes(choice)) return familyVariants(choice as HardwareFamily);
  return [hardwareVariant(choice)];
}

/** Output formats meant for VirtualBox/VMware: asking for one declares both families. */
const HYPERVISOR_FORMATS = new Set(['ova', 'vmdk', 'vdi']);

/** The families an appliance must run on: `vm.hardware` as written, plus what its outputs imply, virtio always. */
export function declaredFamilies(hardware: readonly HardwareFamily[] | undefined, outputs: readonly string[]): HardwareFamily[] {
  const set = new Set<HardwareFamily>(hardware ?? []);
  set.add('virtio');
  if (outputs.some((o) => HYPERVISOR_FORMATS.has(o))) {
    set.add('virtualbox');
    set.add('vmware');
  }
  return HARDWARE_FAMILIES.filter((f) => set.has(f));
}
