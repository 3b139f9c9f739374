// grub-mkimage (apt grub-common, with the module folders of grub-pc-bin and grub-efi-amd64-bin):
// GRUB's boot images made as plain files, without grub-install (which wants root, a mounted
// target and a real block device). The OS disk embeds the BIOS image in its BIOS-boot
// partition and puts the UEFI one at the removable-media path; both read the same grub.cfg.
import fs from 'node:fs';
import path from 'node:path';
import { aptPackageOf, fixedPathsOf } from './catalogue';
import { runTool, ToolMissingError } from './run';

export type GrubTarget = 'i386-pc' | 'x86_64-efi';

/** Modules built into both images: nothing is loaded from disk later, so no module folder is needed on the OS disk. */
export const GRUB_MODULES = ['part_gpt', 'fat', 'normal', 'linux', 'echo', 'test', 'loadenv', 'search', 'search_fs_uuid', 'configfile', 'hashsum', 'gcry_sha256', 'sleep', 'halt', 'reboot'];
const TARGET_MODULES: Record<GrubTarget, string[]> = { 'i386-pc': ['biosdisk'], 'x86_64-efi': ['efi_gop', 'efi_uga', 'chain'] };

/** The module folder of a GRUB target, found from the catalogue's fixed paths (resources/tools.json). */
export function grubModuleDir(target: GrubTarget): string {
  const file = fixedPathsOf(target === 'i386-pc' ? 'boot.img' : 'BOOTX64-modules')[0];
  return path.dirname(file);
}

/** GRUB's 512-byte BIOS boot sector (its first 440 bytes go into the OS disk's MBR). */
export function grubBootImg(): string {
  return path.join(grubModuleDir('i386-pc'), 'boot.img');
}

export function grubMkimageArgs(target: GrubTarget, out: string, earlyConfig: string, moduleDir = grubModuleDir(target)): string[] {
  return ['-O', target, '-d', moduleDir, '-o', out, '-c', earlyConfig, '-p', '/boot/grub', ...GRUB_MODULES, ...TARGET_MODULES[target]];
}

/** grub-mkimage's output depends only on its inputs (measured: shared/design/debian-base-facts.md). */
export async function grubMkimage(target: GrubTarget, out: string, earlyConfig: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
  // grub-mkimage alone says "cannot open moddep.lst"; the package that brings the modules is the useful fact.
  const modules = target === 'i386-pc' ? 'boot.img' : 'BOOTX64-modules';
  if (!fs.existsSync(path.join(grubModuleDir(target), 'moddep.lst'))) throw new ToolMissingError(`GRUB's ${target} modules`, aptPackageOf(modules));
  await runTool({ tool: 'grub-mkimage', argv: grubMkimageArgs(target, out, earlyConfig), signal: opts.signal, timeoutMs: 60_000 });
}
