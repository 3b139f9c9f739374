/**
 * Everything Yoke runs or reads on the host to build and boot appliances, with the Debian
 * package that provides it. Programs are looked up on PATH (plus /sbin and /usr/sbin, which
 * Debian leaves off a normal user's PATH); `fixedPath` entries are files Yoke uses at exactly
 * that place.
 */
export interface ToolSpec {
  name: string;
  aptPackage: string;
  purpose: string;
  /** argv that makes the tool print its version (and nothing else harmful). */
  versionArgv?: string[];
  /** Candidate locations of a file that is not looked up on PATH. */
  fixedPath?: string[];
  /** The file must be an ELF with no program interpreter: it runs inside the guest. */
  mustBeStatic?: boolean;
}

export const TOOL_CATALOGUE: readonly ToolSpec[] = [
  { name: 'qemu-system-x86_64', aptPackage: 'qemu-system-x86', purpose: 'boots appliances for tests and demos', versionArgv: ['--version'] },
  { name: 'qemu-img', aptPackage: 'qemu-utils', purpose: 'converts disks to qcow2, vmdk, vhd and vdi', versionArgv: ['--version'] },
  { name: 'mke2fs', aptPackage: 'e2fsprogs', purpose: 'creates the ext4 data disk', versionArgv: ['-V'] },
  { name: 'debugfs', aptPackage: 'e2fsprogs', purpose: 'fixes owners and times inside the data disk', versionArgv: ['-V'] },
  { name: 'mcopy', aptPackage: 'mtools', purpose: 'puts files on the FAT boot partition', versionArgv: ['--version'] },
  { name: 'mformat', aptPackage: 'mtools', purpose: 'formats FAT images', versionArgv: ['--version'] },
  { name: 'syslinux', aptPackage: 'syslinux', purpose: 'makes the OS disk bootable', versionArgv: ['--version'] },
  {
    name: 'mbr.bin',
    aptPackage: 'syslinux-common',
    purpose: "syslinux's boot sector for the OS disk",
    fixedPath: ['/usr/lib/syslinux/mbr/mbr.bin', '/usr/share/syslinux/mbr.bin', '/usr/lib/SYSLINUX/mbr.bin'],
  },
  { name: 'sfdisk', aptPackage: 'fdisk', purpose: 'writes the OS disk partition table', versionArgv: ['--version'] },
  // mkfs.vfat has no --version; its --help ends with "mkfs.fat 4.2 (2021-01-31)".
  { name: 'mkfs.vfat', aptPackage: 'dosfstools', purpose: 'creates the FAT boot partition', versionArgv: ['--help'] },
  { name: 'zstd', aptPackage: 'zstd', purpose: 'compresses the rootfs', versionArgv: ['--version'] },
  { name: 'cpio', aptPackage: 'cpio', purpose: 'packs the rootfs archive', versionArgv: ['--version'] },
  { name: 'depmod', aptPackage: 'kmod', purpose: "indexes a fetched kernel's modules (which drivers each hardware profile needs)", versionArgv: ['--version'] },
  { name: 'xmllint', aptPackage: 'libxml2-utils', purpose: 'validates the OVA descriptor against the OVF 1.0 schema', versionArgv: ['--version'] },
  {
    name: 'busybox',
    aptPackage: 'busybox-static',
    purpose: 'the static userland inside every appliance',
    fixedPath: ['/bin/busybox'],
    mustBeStatic: true,
    versionArgv: [],
  },
];
