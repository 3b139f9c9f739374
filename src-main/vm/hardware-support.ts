import { qemuDevices, QEMU_SYSTEM } from '../tools/qemu-devices';
import type { HardwareVariant } from './hardware';

/** The qemu devices a variant needs that this host's qemu does not have. */
export function missingDevices(v: HardwareVariant, available: Set<string>): string[] {
  return v.qemuDevices.filter((d) => !available.has(d));
}

/** Fails with a clear message when the host's qemu cannot emulate the variant (asked once per process). */
export async function assertEmulatable(v: HardwareVariant): Promise<void> {
  const missing = missingDevices(v, await qemuDevices());
  if (missing.length > 0) {
    throw new Error(
      `This machine's ${QEMU_SYSTEM} cannot emulate hardware profile ${v.name} (${v.title}): it has no ${missing.join(', ')} device (see \`${QEMU_SYSTEM} -device help\`). Install a qemu built with it (Debian's qemu-system-x86 has them all).`,
    );
  }
}
