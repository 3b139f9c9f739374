// Boots for upgrade tests, through vm-service's launcher with two options its test boots don't
// use: the OS disk must be writable (the updater writes the new OS onto it) and the boot after the update must go
// through the disk's own boot loader (that is what the updater changed). The control flag
// reaches that boot because the updater carries it from the running command line to the new
// boot entries; shipped images never carry it, so neither do their updated entries.
import type { Engine } from '../api/engine';
import { launchBuildVm } from '../api/vm-service';
import type { Machine, LogFn } from '../vm/machine';
import type { ApplianceSpec } from '../spec/types';

export interface UpgradeBoot {
  buildId: number;
  /** A private, writable copy of an OS disk. */
  osDisk: string;
  dataDisk: string;
  /** Boot the build's kernel and initrd directly with the control flag (else the disk's boot loader). */
  direct: boolean;
  log?: LogFn;
}

export async function launchUpgradeVm(engine: Engine, o: UpgradeBoot): Promise<{ machine: Machine; spec: ApplianceSpec }> {
  const live = await launchBuildVm(engine, { buildId: o.buildId, purpose: 'upgrade', osDisk: o.osDisk, dataDisk: o.dataDisk, direct: o.direct, log: o.log });
  return { machine: live.machine, spec: live.spec };
}
