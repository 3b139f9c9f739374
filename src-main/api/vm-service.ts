// The engine's running VMs: boots builds (for a person or for a test), lists and stops them,
// and streams a VM's serial console to the faces with flow control.
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from './engine';
import type { Res, VmSummary } from './contract';
import { EngineError } from './errors';
import { bootFilesOf, specOfBuild } from './build-inputs';
import { Machine, newVmId, vmStateDir, type LogFn } from '../vm/machine';
import { reapStrays, isQemuOf } from '../vm/reaper';
import { probeAccel } from '../host/kvm-probe';
import { cpSparse } from '../tools/cp';
import { CONTROL_FLAG, MARKERS } from '../build/init';
import type { ApplianceSpec } from '../spec/types';
import { findExecutable } from '../host/find-executable';

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
  machine: Machine;
  buildId: number;
  spec: ApplianceSpec;
  purpose: 'test' | 'boot' | 'upgrade';
  startedAt: string;
  viewer?: Viewer;
  /** Files made for this VM only (fresh data disk), removed when it stops. */
  scratch: string[];
  /** What the VMs screen says: booting until the guest prints it is ready, stopping once asked to stop. */
  state?: 'booting' | 'ready' | 'stopping';
}

const registries = new WeakMap<Engine, { vms: Map<string, LiveVm>; reaped?: Promise<void> }>();
function registry(engine: Engine) {
  let r = registries.get(engine);
  if (!r) registries.set(engine, (r = { vms: new Map() }));
  return r;
}

/** Kills VMs a dead Yoke left behind (once per engine) and marks them interrupted. */
export function reapOnce(engine: Engine): Promise<void> {
  const r = registry(engine);
  r.reaped ??= reapStrays(engine.home, (vmid) => {
    engine.store().updateVm(vmid, { status: 'interrupted' });
  }).then(() => undefined);
  return r.reaped;
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
  /** Boot this private, writable OS disk instead of the build's (as a snapshot): the updater writes to it. */
  osDisk?: string;
  /**
   * Start the build's kernel and initrd directly, with the control flag (default for test and
   * upgrade boots); otherwise the disk's own boot loader runs, as in a shipped appliance.
   */
  direct?: boolean;
  log?: LogFn;
}

/**
 * Boots a build. Test boots start the build's kernel and initrd directly with the control
 * flag on the command line (the disk's boot loader never carries it) and a fresh copy of the
 * data disk; person boots go through the disk's own boot loader like a shipped appliance.
 */
export async function launchBuildVm(engine: Engine, o: LaunchOptions): Promise<LiveVm> {
  await reapOnce(engine);
  if (!findExecutable('qemu-system-x86_64')) {
    throw new EngineError('unavailable', 'qemu-system-x86_64 is not installed, so Yoke cannot boot VMs. Install it with: sudo apt-get install qemu-system-x86 (then run `yoke doctor`).');
  }
  const store = engine.store();
  const build = store.getBuild(o.buildId);
  if (!build) throw new EngineError('not-found', `no build #${o.buildId}`);
  const files = bootFilesOf(build);
  const spec = specOfBuild(build);
  const vmid = newVmId();
  const stateDir = vmStateDir(engine.home, vmid);
  fs.mkdirSync(stateDir, { recursive: true });
  const scratch: string[] = [];
  let dataDisk = o.dataDisk ?? null;
  const test = o.purpose !== 'boot';
  if (!dataDisk && files.dataDisk) {
    if (o.snapshot) dataDisk = files.dataDisk;
    else {
      // A fresh data disk per VM: the build's own stays pristine for the next boot.
      dataDisk = path.join(stateDir, 'data.raw');
      await cpSparse(files.dataDisk, dataDisk);
      if (test) scratch.push(dataDisk);
    }
  }
  const accel = await probeAccel(engine.home);
  const machine = new Machine({
    home: engine.home,
    vmid,
    accel,
    memoryMiB: Math.max(64, Math.round(spec.vm.memoryBytes / 1024 / 1024)),
    cpus: spec.vm.cpus,
    // The build's OS disk is replaced whole on upgrade and never written by the appliance: a
    // snapshot, unless the caller hands a private copy for the updater to write.
    osDisk: o.osDisk ? { path: o.osDisk, format: 'raw' } : { path: files.osDisk, format: 'raw', snapshot: true },
    dataDisk: dataDisk ? { path: dataDisk, format: 'raw', snapshot: Boolean(o.snapshot) } : undefined,
    ...((o.direct ?? test) ? { kernel: files.kernel, initrd: files.initrd, append: `${files.cmdline} ${CONTROL_FLAG}` } : {}),
    forwards: spec.network.forward.map((f) => ({ ...f, host: f.host ?? o.hostPorts?.find((h) => h.guest === f.guest)?.host })),
    control: test,
    purpose: o.purpose,
    buildId: build.id,
    appliance: build.appliance,
    version: build.version,
    log: o.log,
  });
  await machine.start();
  const live: LiveVm = { machine, buildId: build.id, spec, purpose: o.purpose, startedAt: new Date().toISOString(), scratch };
  registry(engine).vms.set(vmid, live);
  watchState(engine, live);
  store.recordVm({ id: vmid, buildId: build.id, purpose: o.purpose, pid: machine.pid ?? null, stateDir, accel, forwards: machine.forwards });
  engine.emit('vms.changed', {});
  void machine.exited.then(() => forget(engine, vmid));
  return live;
}

/** Follows the console for the ready and shutdown markers, so the list can say booting / ready / stopping. */
function watchState(engine: Engine, live: LiveVm): void {
  live.state = 'booting';
  // Only the new text and a few characters before it are searched (a marker may span chunks).
  let recent = '';
  const look = (text: string) => {
    const out = (recent + text).slice(-(text.length + 64));
    recent = out.slice(-64);
    const next = out.includes(MARKERS.shutdown) ? 'stopping' : live.state === 'booting' && out.includes(MARKERS.ready) ? 'ready' : live.state;
    if (next === live.state) return;
    live.state = next;
    engine.emit('vms.changed', {});
    if (next === 'stopping') off();
  };
  const off = live.machine.console.onData(look);
  void live.machine.exited.then(off, off);
  look(live.machine.console.output);
}

function forget(engine: Engine, vmid: string): void {
  const r = registry(engine);
  const live = r.vms.get(vmid);
  if (!live) return;
  r.vms.delete(vmid);
  live.viewer?.off();
  for (const f of live.scratch) fs.rmSync(f, { force: true });
  try {
    engine.store().updateVm(vmid, { status: 'stopped' });
  } catch {
    // the store may already be closed during shutdown
  }
  engine.emit('vms.changed', {});
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
  };
}

function processAlive(pid: number | null, vmid: string): boolean {
  if (!pid) return false;
  try {
    return isQemuOf(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'), vmid);
  } catch {
    return false;
  }
}

/** This engine's VMs, plus VMs other Yoke processes (CLI, another window) are running. */
export function listVms(engine: Engine): Res<'vms.list'> {
  const own = registry(engine).vms;
  const out = [...own].map(([id, live]) => summary(id, live));
  for (const v of engine.store().listVms({ status: 'running' })) {
    if (own.has(v.id)) continue;
    if (processAlive(v.pid, v.id)) out.push(v);
  }
  return out;
}

export async function stopVm(engine: Engine, id: string, force: boolean): Promise<Res<'vms.stop'>> {
  const live = registry(engine).vms.get(id);
  if (live) {
    live.state = 'stopping';
    engine.emit('vms.changed', {});
    if (force) await live.machine.kill();
    else await live.machine.stop({ graceMs: 10_000 });
    forget(engine, id);
    return { stopped: true };
  }
  const rec = engine.store().listVms({ status: 'running' }).find((v) => v.id === id);
  if (!rec) throw new EngineError('not-found', `no running VM ${id}`);
  if (processAlive(rec.pid, id)) {
    // Another process owns it: signal its qemu directly (powering down needs that owner's QMP).
    process.kill(rec.pid!, force ? 'SIGKILL' : 'SIGTERM');
  }
  engine.store().updateVm(id, { status: 'stopped' });
  engine.emit('vms.changed', {});
  return { stopped: true };
}

export function liveVm(engine: Engine, id: string): LiveVm {
  const live = registry(engine).vms.get(id);
  if (!live) throw new EngineError('not-found', `VM ${id} is not running in this Yoke (consoles attach only to VMs this process started)`);
  return live;
}

function flush(engine: Engine, id: string, v: Viewer): void {
  while (v.pending.length && v.unacked < HIGH_WATER) {
    const data = v.pending.shift()!;
    v.pendingChars -= data.length;
    v.unacked += data.length;
    engine.emit('vm.console', { id, data });
  }
}

/** Streams the console as vm.console events; returns what it printed so far. */
export function attachConsole(engine: Engine, id: string): Res<'vms.attach'> {
  const live = liveVm(engine, id);
  live.viewer?.off();
  const viewer: Viewer = { unacked: 0, pending: [], pendingChars: 0, off: () => undefined };
  viewer.off = live.machine.console.onData((text) => {
    viewer.pending.push(text);
    viewer.pendingChars += text.length;
    while (viewer.pendingChars > MAX_PENDING && viewer.pending.length > 1) viewer.pendingChars -= viewer.pending.shift()!.length;
    flush(engine, id, viewer);
  });
  live.viewer = viewer;
  return { backlog: live.machine.console.output.slice(-200_000) };
}

export function detachConsole(engine: Engine, id: string): Res<'vms.detach'> {
  const live = registry(engine).vms.get(id);
  live?.viewer?.off();
  if (live) live.viewer = undefined;
  return {};
}

export function ackConsole(engine: Engine, id: string, chars: number): Res<'vms.ack'> {
  const v = liveVm(engine, id).viewer;
  if (v) {
    v.unacked = Math.max(0, v.unacked - chars);
    if (v.unacked < LOW_WATER) flush(engine, id, v);
  }
  return {};
}

export function consoleInput(engine: Engine, id: string, data: string): Res<'vms.input'> {
  liveVm(engine, id).machine.console.write(data);
  return {};
}

export function resizeConsole(engine: Engine, id: string, rows: number, cols: number): Res<'vms.resize'> {
  liveVm(engine, id).machine.resizeConsole(rows, cols);
  return {};
}

export async function bootForPerson(engine: Engine, buildId: number, snapshot: boolean, hostPorts: { guest: number; host: number }[] = []): Promise<Res<'vms.boot'>> {
  const live = await launchBuildVm(engine, { buildId, purpose: 'boot', snapshot, hostPorts });
  return { vmId: live.machine.vmid };
}

/** Stops every VM this engine started (engine shutdown). */
export async function stopAll(engine: Engine): Promise<void> {
  const vms = [...registry(engine).vms.entries()];
  await Promise.allSettled(vms.map(async ([id, live]) => {
    await live.machine.stop({ graceMs: 5000 });
    forget(engine, id);
  }));
}
