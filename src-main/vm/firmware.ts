// UEFI for test boots: OVMF (apt ovmf), the firmware VirtualBox and VMware also offer an imported
// VM besides BIOS. Its code is shared read-only; each VM writes its own copy of the variable store.
import fs from 'node:fs';
import path from 'node:path';
import { aptPackageOf, fixedPathsOf } from '../tools/catalogue';
import { ToolMissingError } from '../tools/run';

function fixed(name: string): string {
  const found = fixedPathsOf(name).find((p) => fs.existsSync(p));
  if (!found) throw new ToolMissingError(name, aptPackageOf(name));
  return found;
}

/** OVMF's code and a fresh variable store in the VM's state folder. */
export function ovmfFiles(stateDir: string): { code: string; vars: string } {
  const code = fixed('OVMF_CODE_4M.fd');
  const vars = path.join(stateDir, 'OVMF_VARS.fd');
  fs.copyFileSync(fixed('OVMF_VARS_4M.fd'), vars);
  return { code, vars };
}
