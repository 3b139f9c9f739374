// Boots for the package method, which vm-service's test boots cannot do: the OS disk must be
// writable (the updater writes the new OS onto it) and the boot after the update must go
// through the disk's own boot loader (that is what the updater changed). The control flag
// reaches that boot because the updater carries it from the running command line to the new
// boot entries; shipped images never carry it, so neither do their updated entries.
import type { Engine } from '../api/engine';
import { EngineError } from '../api/errors';
import { bootFilesOf, specOfBuild } from '../api/build-inputs';
import { reapOnce } from '../api/vm-service';
import { probeAccel } from '../host/kvm-probe';
import { CONTROL_FLAG } from '../build/init';
import { Machine, newVmId, vmStateDir, type LogFn } from '../vm/machine';
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
  await reapOnce(engine);
  const store = engine.store();
  const build = store.getBuild(o.buildId);
  if (!build) throw new EngineError('not-found', `no build #${o.buildId}`);
  const files = bootFilesOf(build);
  const spec = specOfBuild(build);
  const vmid = newVmId();
  const accel = await probeAccel(engine.home);
  const machine = new Machine({
    home: engine.home,
    vmid,
    accel,
    memoryMiB: Math.max(64, Math.round(spec.vm.memoryBytes / 1024 / 1024)),
    cpus: spec.vm.cpus,
    osDisk: { path: o.osDisk, format: 'raw' },
    dataDisk: { path: o.dataDisk, format: 'raw' },
    ...(o.direct ? { kernel: files.kernel, initrd: files.initrd, append: `${files.cmdline} ${CONTROL_FLAG}` } : {}),
    forwards: spec.network.forward,
    control: true,
    purpose: 'upgrade',
    buildId: build.id,
    appliance: build.appliance,
    version: build.version,
    log: o.log,
  });
  await machine.start();
  store.recordVm({ id: vmid, buildId: build.id, purpose: 'upgrade', pid: machine.pid ?? null, stateDir: vmStateDir(engine.home, vmid), accel, forwards: machine.forwards });
  engine.emit('vms.changed', {});
  void machine.exited.then(() => {
    try {
      store.updateVm(vmid, { status: 'stopped' });
      engine.emit('vms.changed', {});
    } catch {
      // the store may already be closed during shutdown
    }
  });
  return { machine, spec };
}
