// The engine's running VMs: boots builds (for a person or for a test), lists and stops them,
// and streams a VM's serial console to the faces with flow control. One Machines per engine;
// jobs reach it through their context.
import fs from 'node:fs';
import path from 'node:path';
import type { Res, VmSummary } from '../api/contract';
import { EngineError } from '../api/errors';
import type { Store } from '../store/store';
import type { Emit } from './events';
import { bootFilesOf, specOfBuild } from './build-files';
import { newVmId, SHARED_QMP, vmStateDir, type LogFn } from '../vm/machine';
import { QmpClient } from '../vm/qmp';
import { backupDataDisk } from '../vm/data-backup';
import { qemu, type Hypervisor, type VirtualMachine } from '../vm/hypervisor';
import { reapStrays, qemuAlive } from '../vm/reaper';
import { probeAccel } from '../host/kvm-probe';
import { cpSparse } from '../tools/cp';
import { importDataDisk } from '../build/data-import';
import { DISK_FORMATS, formatOf, isDiskFormat } from '../build/formats';
import { qemuImgConvert } from '../tools/qemu-img';
import { CONTROL_FLAG, MARKERS } from '../build/init';
import type { HardwareVariant } from '../vm/hardware';
import type { Firmware } from '../api/contract';
import { assertEmulatable } from '../vm/hardware-support';
import { prepareExportedDisks } from '../vm/exported-disks';
import type { ApplianceSpec } from '../spec/types';
import { findExecutable } from '../tools/find-executable';

// VS Code's terminal numbers: stop sending above this many unacknowledged characters,
// resume once the screen has caught up to below the low mark.
const HIGH_WATER = 100_000;
const LOW_WATER = 5_000;
// What a paused viewer may owe before the oldest output is dropped (the console log keeps all).
const MAX_PENDING = 4 * 1024 * 1024;

interface Viewer {
  unacked: number;
  pending: string[];
  pendingChars: number;
  off: () => void;
}

export interface LiveVm {
  machine: VirtualMachine;
  buildId: number;
  spec: ApplianceSpec;
  purpose: 'test' | 'boot' | 'upgrade' | 'dev';
  /** A dev VM that files were synced into (yoke dev): no longer what a clean build boots. */
  diverged?: boolean;
  startedAt: string;
  viewer?: Viewer;
  /** Files made for this VM only (fresh data disk), removed when it stops. */
  scratch: string[];
  /** What the VMs screen says: booting until the guest prints it is ready, stopping once asked to stop. */
  state?: 'booting' | 'ready' | 'stopping';
}

export interface LaunchOptions {
  buildId: number;
  purpose: LiveVm['purpose'];
  /** Discard every write (OS and data disk) when the VM stops. */
  snapshot?: boolean;
  /** Host ports to use for these guest ports instead of free ones (the spec's own `host:` still wins). */
  hostPorts?: { guest: number; host: number }[];
  /** Use this data disk instead of a fresh copy of the build's (upgrade tests keep OLD's). */
  dataDisk?: string;
  /** Boot with no data disk at all (a customer's VM that lost it). */
  withoutDataDisk?: boolean;
  /**
   * A customer's data disk (any format a hypervisor exports, or a tar of the data): the VM gets a
   * converted copy; the file itself is never written.
   */
  dataFrom?: string;
  /** Boot this private, writable OS disk instead of the build's (as a snapshot): the updater writes to it. */
  osDisk?: string;
  /**
   * Start the build's kernel and initrd directly, with the control flag (default for test and
   * upgrade boots); otherwise the disk's own boot loader runs, as in a shipped appliance.
   */
  direct?: boolean;
  /**
   * Boot on this hardware (vm/hardware.ts) from the build's exported disks, as a customer of
   * that hypervisor receives them (vm/exported-disks.ts), through the disk's boot loader.
   */
  hardware?: HardwareVariant;
  /** bios (default) or uefi: OVMF, as a VirtualBox or VMware VM switched to EFI. */
  firmware?: Firmware;
  /**
   * An update medium (a build's NAME-VERSION.update.raw or .vmdk) attached as a third disk on the
   * same controller, as a customer attaches it; the VM never writes the file (snapshot).
   */
  medium?: string;
  log?: LogFn;
}

/** The medium's image format, by its extension: what Yoke makes (raw, vmdk) and qcow2. */
function mediumDisk(file: string): { path: string; format: 'raw' | 'vmdk' | 'qcow2'; snapshot: true } {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new EngineError('invalid-request', `--medium ${file}: there is no such file. Give a build's updates/NAME-VERSION.update.vmdk (or .raw).`);
  const ext = path.extname(file).slice(1).toLowerCase();
  return { path: path.resolve(file), format: ext === 'vmdk' || ext === 'qcow2' ? ext : 'raw', snapshot: true };
}

/** The engine side a Machines needs: where data lives, the store, and the event stream. */
export interface MachinesHost {
  readonly home: string;
  store(): Store;
  emit: Emit;
}

/** The VMs this engine started, and the verbs on them every face uses. */
export class Machines {
  private readonly vms = new Map<string, LiveVm>();
  private reaped?: Promise<void>;

  constructor(
    private readonly host: MachinesHost,
    private readonly hypervisor: Hypervisor = qemu,
  ) {}

  /** Kills VMs a dead Yoke left behind (once per engine) and marks them interrupted. */
  reapOnce(): Promise<void> {
    this.reaped ??= reapStrays(this.host.home, (vmid) => {
      this.host.store().updateVm(vmid, { status: 'interrupted' });
    }).then(() => undefined);
    return this.reaped;
  }

  /** Marks a live VM as diverged from a clean build (or matching one again). */
  setDiverged(id: string, diverged: boolean): void {
    const live = this.vms.get(id);
    if (!live || live.diverged === diverged) return;
    live.diverged = diverged;
    this.host.emit('vms.changed', {});
  }

  /**
   * Boots a build. Test boots start the build's kernel and initrd directly with the control
   * flag on the command line (the disk's boot loader never carries it) and a fresh copy of the
   * data disk; person boots go through the disk's own boot loader like a shipped appliance.
   */
  async launch(o: LaunchOptions): Promise<LiveVm> {
    await this.reapOnce();
    if (!findExecutable('qemu-system-x86_64')) {
      throw new EngineError('unavailable', 'qemu-system-x86_64 is not installed, so Yoke cannot boot VMs. Install it with: sudo apt-get install qemu-system-x86 (then run `yoke doctor`).');
    }
    const store = this.host.store();
    const build = store.getBuild(o.buildId);
    if (!build) throw new EngineError('not-found', `no build #${o.buildId}`);
    const files = bootFilesOf(build);
    const spec = specOfBuild(build);
    const medium = o.medium ? mediumDisk(o.medium) : undefined;
    const vmid = newVmId();
    const stateDir = vmStateDir(this.host.home, vmid);
    fs.mkdirSync(stateDir, { recursive: true });
    const scratch: string[] = [];
    let dataDisk = o.dataDisk ?? null;
    const test = o.purpose !== 'boot';
    let osDisk = o.osDisk;
    if (o.hardware) {
      try {
        await assertEmulatable(o.hardware);
      } catch (e) {
        throw new EngineError('unavailable', (e as Error).message);
      }
      const ova = build.artifacts.find((a) => a.kind === 'ova')?.path ?? null;
      const got = await prepareExportedDisks({ family: o.hardware.family, appliance: build.appliance, ova, rawOs: files.osDisk, rawData: o.dataDisk || o.dataFrom ? null : files.dataDisk, dir: stateDir });
      o.log?.('info', `hardware ${o.hardware.name} (${o.hardware.title}): booting ${got.source}`);
      osDisk = got.osDisk;
      dataDisk = o.dataDisk ?? got.dataDisk;
      scratch.push(got.osDisk, ...(got.dataDisk ? [got.dataDisk] : []));
    }
    if (!dataDisk && o.dataFrom) {
      dataDisk = path.join(stateDir, 'data.raw');
      const imported = await importDataDisk(o.dataFrom, dataDisk, { label: spec.disks.data?.label ?? 'data', sizeBytes: spec.disks.data?.sizeBytes ?? 64 * 1048576 });
      o.log?.('info', `data disk: a copy of ${o.dataFrom} (${imported.format})`);
      if (test) scratch.push(dataDisk);
    } else if (!dataDisk && files.dataDisk && !o.withoutDataDisk) {
      if (o.snapshot) dataDisk = files.dataDisk;
      else {
        // A fresh data disk per VM: the build's own stays pristine for the next boot.
        dataDisk = path.join(stateDir, 'data.raw');
        await cpSparse(files.dataDisk, dataDisk);
        if (test) scratch.push(dataDisk);
      }
    }
    // A person's boot with an update medium shows the whole update: the updater writes the other
    // slot of a private copy of the OS disk and reboots, and the machine restarts as a hypervisor's would.
    const personUpdate = Boolean(medium) && o.purpose === 'boot' && !osDisk;
    if (personUpdate) {
      osDisk = path.join(stateDir, 'os.raw');
      await cpSparse(files.osDisk, osDisk);
      scratch.push(osDisk);
    }
    const accel = await probeAccel(this.host.home);
    const machine = this.hypervisor.create({
      home: this.host.home,
      vmid,
      accel,
      memoryMiB: Math.max(64, Math.round(spec.vm.memoryBytes / 1024 / 1024)),
      cpus: spec.vm.cpus,
      // The build's OS disk is replaced whole on upgrade and never written by the appliance: a
      // snapshot, unless the caller hands a private copy for the updater to write.
      osDisk: osDisk ? { path: osDisk, format: 'raw' } : { path: files.osDisk, format: 'raw', snapshot: true },
      hardware: o.hardware,
      firmware: o.firmware,
      dataDisk: dataDisk ? { path: dataDisk, format: 'raw', snapshot: Boolean(o.snapshot) } : undefined,
      mediumDisk: medium,
      reboot: personUpdate,
      // A hardware boot goes through the exported disk's own boot loader (its copy carries the control flag).
      ...((o.direct ?? (test && !o.hardware)) ? { kernel: files.kernel, initrd: files.initrd, append: `${files.cmdline} ${CONTROL_FLAG}` } : {}),
      forwards: spec.network.forward.map((f) => ({ ...f, host: f.host ?? o.hostPorts?.find((h) => h.guest === f.guest)?.host })),
      outbound: spec.network.outbound,
      control: test,
      purpose: o.purpose,
      buildId: build.id,
      appliance: build.appliance,
      version: build.version,
      log: o.log,
    });
    await machine.start();
    const live: LiveVm = { machine, buildId: build.id, spec, purpose: o.purpose, startedAt: new Date().toISOString(), scratch };
    this.vms.set(vmid, live);
    this.watchState(live);
    store.recordVm({ id: vmid, buildId: build.id, purpose: o.purpose, pid: machine.pid ?? null, stateDir, accel, forwards: machine.forwards });
    this.host.emit('vms.changed', {});
    void machine.exited.then(() => this.forget(vmid));
    return live;
  }

  /** Follows the console for the ready and shutdown markers, so the list can say booting / ready / stopping. */
  private watchState(live: LiveVm): void {
    live.state = 'booting';
    // Only the new text and a few characters before it are searched (a marker may span chunks).
    let recent = '';
    const look = (text: string) => {
      const out = (recent + text).slice(-(text.length + 64));
      recent = out.slice(-64);
      const next = out.includes(MARKERS.shutdown) ? 'stopping' : live.state === 'booting' && out.includes(MARKERS.ready) ? 'ready' : live.state;
      if (next === live.state) return;
      live.state = next;
      this.host.emit('vms.changed', {});
      if (next === 'stopping') off();
    };
    const off = live.machine.console.onData(look);
    void live.machine.exited.then(off, off);
    look(live.machine.console.output);
  }

  private forget(vmid: string): void {
      const live = this.vms.get(vmid);
    if (!live) return;
    this.vms.delete(vmid);
    live.viewer?.off();
    for (const f of live.scratch) fs.rmSync(f, { force: true });
    try {
      this.host.store().updateVm(vmid, { status: 'stopped' });
    } catch {
      // the store may already be closed during shutdown
    }
    this.host.emit('vms.changed', {});
  }



  /** This engine's VMs, plus VMs other Yoke processes (CLI, another window) are running. */
  list(): Res<'vms.list'> {
    const own = this.vms;
    const out = [...own].map(([id, live]) => summary(id, live));
    for (const v of this.host.store().listVms({ status: 'running' })) {
      if (own.has(v.id)) continue;
      if (qemuAlive(v.pid, v.id)) out.push(v);
    }
    return out;
  }

  /** A screenshot of a running VM's screen (QMP screendump), as base64 PNG. */
  async screen(id: string): Promise<Res<'vms.screen'>> {
    const live = this.vms.get(id);
    if (!live) throw new EngineError('not-found', `no running VM ${id} in this Yoke (a VM another Yoke process runs shows its screen there)`);
    const png = path.join(vmStateDir(this.host.home, id), `screen-${process.pid}.png`);
    try {
      await live.machine.screenshot(png);
      return { png: fs.readFileSync(png).toString('base64') };
    } finally {
      fs.rmSync(png, { force: true });
    }
  }

  async stop(id: string, force: boolean): Promise<Res<'vms.stop'>> {
    const live = this.vms.get(id);
    if (live) {
      live.state = 'stopping';
      this.host.emit('vms.changed', {});
      if (force) await live.machine.kill();
      else await live.machine.stop({ graceMs: 10_000 });
      this.forget(id);
      return { stopped: true };
    }
    const rec = this.host.store().listVms({ status: 'running' }).find((v) => v.id === id);
    if (!rec) throw new EngineError('not-found', `no running VM ${id}`);
    if (qemuAlive(rec.pid, id)) {
      // Another process owns it: signal its qemu directly (powering down needs that owner's QMP).
      process.kill(rec.pid!, force ? 'SIGKILL' : 'SIGTERM');
    }
    this.host.store().updateVm(id, { status: 'stopped' });
    this.host.emit('vms.changed', {});
    return { stopped: true };
  }

  live(id: string): LiveVm {
    const live = this.vms.get(id);
    if (!live) throw new EngineError('not-found', `VM ${id} is not running in this Yoke (consoles attach only to VMs this process started)`);
    return live;
  }

  private flush(id: string, v: Viewer): void {
    while (v.pending.length && v.unacked < HIGH_WATER) {
      const data = v.pending.shift()!;
      v.pendingChars -= data.length;
      v.unacked += data.length;
      this.host.emit('vm.console', { id, data });
    }
  }

  /** Streams the console as vm.console events; returns what it printed so far. */
  attach(id: string): Res<'vms.attach'> {
    const live = this.live(id);
    live.viewer?.off();
    const viewer: Viewer = { unacked: 0, pending: [], pendingChars: 0, off: () => undefined };
    viewer.off = live.machine.console.onData((text) => {
      viewer.pending.push(text);
      viewer.pendingChars += text.length;
      while (viewer.pendingChars > MAX_PENDING && viewer.pending.length > 1) viewer.pendingChars -= viewer.pending.shift()!.length;
      this.flush(id, viewer);
    });
    live.viewer = viewer;
    return { backlog: live.machine.console.output.slice(-200_000) };
  }

  detach(id: string): Res<'vms.detach'> {
    const live = this.vms.get(id);
    live?.viewer?.off();
    if (live) live.viewer = undefined;
    return {};
  }

  ack(id: string, chars: number): Res<'vms.ack'> {
    const v = this.live(id).viewer;
    if (v) {
      v.unacked = Math.max(0, v.unacked - chars);
      if (v.unacked < LOW_WATER) this.flush(id, v);
    }
    return {};
  }

  input(id: string, data: string): Res<'vms.input'> {
    this.live(id).machine.console.write(data);
    return {};
  }

  resize(id: string, rows: number, cols: number): Res<'vms.resize'> {
    this.live(id).machine.resizeConsole(rows, cols);
    return {};
  }

  async boot(buildId: number, snapshot: boolean, dataFrom?: string, hostPorts: { guest: number; host: number }[] = [], medium?: string): Promise<Res<'vms.boot'>> {
    const live = await this.launch({ buildId, purpose: 'boot', snapshot, dataFrom, hostPorts, medium });
    return { vmId: live.machine.vmid };
  }

  /**
   * Saves a running VM's data disk to `file` in the format its extension names (raw, img, qcow2,
   * vmdk, vhd, vdi): a backup, or data to attach to another appliance (test, boot --data).
   */
  async saveData(id: string, file: string): Promise<Res<'vms.saveData'>> {
    const live = this.vms.get(id);
    const ext = path.extname(file).slice(1).toLowerCase();
    const format = ext === 'img' ? formatOf('raw') : isDiskFormat(ext) ? formatOf(ext) : undefined;
    if (!format?.qemuImg) throw new EngineError('invalid-request', `${file}: name the format by its extension: .raw, .img, ${DISK_FORMATS.filter((f) => f !== 'raw').map((f) => `.${f}`).join(', ')}.`);
    const rec = live ? null : this.host.store().listVms({ status: 'running' }).find((v) => v.id === id);
    if (!live && (!rec || !qemuAlive(rec.pid, id))) throw new EngineError('not-found', `There is no running VM ${id}. List them with the VMs screen.`);
    const stateDir = live?.machine.vmInfo?.stateDir ?? rec!.stateDir ?? path.dirname(file);
    const raw = path.join(stateDir, `data-save-${Date.now()}.raw`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.partial-${process.pid}`;
    try {
      if (live) {
        // Let the guest write out what it holds first: the copy is then what a clean shutdown would leave.
        await live.machine.execute('sync', { timeoutMs: 30_000 }).catch(() => undefined);
        await live.machine.backupDataDisk(raw);
      } else {
        // Another Yoke process owns the VM: its second QMP monitor is there for this.
        const info = JSON.parse(fs.readFileSync(path.join(stateDir, 'vm.json'), 'utf8')) as { socketDir?: string };
        const qmp = await QmpClient.connect(path.join(info.socketDir ?? stateDir, SHARED_QMP), 5000);
        try {
          await backupDataDisk(qmp, raw);
        } finally {
          qmp.close();
        }
      }
      await qemuImgConvert(raw, tmp, format.qemuImg);
      fs.renameSync(tmp, file);
    } finally {
      fs.rmSync(raw, { force: true });
      fs.rmSync(tmp, { force: true });
    }
    return { file, bytes: fs.statSync(file).size, format: ext };
  }

  /** Stops every VM this engine started (engine shutdown). */
  async stopAll(): Promise<void> {
    const vms = [...this.vms.entries()];
    await Promise.allSettled(vms.map(async ([id, live]) => {
      await live.machine.stop({ graceMs: 5000 });
      this.forget(id);
    }));
  }
}

function summary(vmid: string, live: LiveVm): VmSummary {
  return {
    id: vmid,
    buildId: live.buildId,
    appliance: live.spec.name,
    version: live.spec.version,
    accel: live.machine.vmInfo?.accel ?? 'tcg',
    startedAt: live.startedAt,
    status: live.state ?? 'running',
    forwards: live.machine.forwards,
    purpose: live.purpose,
    ...(live.purpose === 'dev' ? { diverged: Boolean(live.diverged) } : {}),
  };
}

