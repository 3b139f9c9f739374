// A VM as an object with clear verbs (after the NixOS test driver's Machine): start() does not
// wait for boot; waitForConsoleText / execute / succeed talk to the running guest; powerDown,
// stop and kill end it. Every VM has its own state directory ${home}/vms/<vmid>/.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { SerialConsole } from './console';
import { ControlChannel, type RunOptions, type RunResult } from './control';
import { findSetpriv, launchQemu, type QemuExit, type QemuProcess } from './qemu-process';
import type { HardwareVariant } from './hardware';
import type { Firmware } from '../api/contract';
import { ovmfFiles } from './firmware';
import { qemuArgs, type Accel, type HostForward, type VmDisk } from './qemu-args';
import { QmpClient } from './qmp';
import { backupDataDisk } from './data-backup';
import { connectUnix } from './unix-socket';

/** A second QMP monitor other Yoke processes may use (the owner keeps the first): `yoke data save`. */
export const SHARED_QMP = 'qmp-shared.sock';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', text: string) => void;

export interface MachineOptions {
  home: string;
  vmid?: string;
  /** From the host's accelerator probe; TCG works everywhere, slowly. */
  accel?: Accel;
  memoryMiB?: number;
  cpus?: number;
  osDisk?: VmDisk;
  dataDisk?: VmDisk;
  /** An update medium attached as a third disk. */
  mediumDisk?: VmDisk;
  /** A guest reboot restarts the machine instead of ending it (see VmConfig.reboot). */
  reboot?: boolean;
  /** The machine to emulate (vm/hardware.ts); virtio when not given. */
  hardware?: HardwareVariant;
  /** bios (SeaBIOS, qemu's default) or uefi (OVMF, with a fresh variable store per VM). */
  firmware?: Firmware;
  kernel?: string;
  initrd?: string;
  append?: string;
  /** Host port picked free when not given. */
  forwards?: { guest: number; host?: number }[];
  /** Adds the control shell's serial port (test boots only). */
  control?: boolean;
  /** The spec's network.outbound: without it the guest cannot open connections out (qemu restrict=on). */
  outbound?: boolean;
  purpose?: string;
  buildId?: number | null;
  appliance?: string;
  version?: string;
  log?: LogFn;
  qemuBinary?: string;
  /** How long start() waits for qemu's sockets. */
  startTimeoutMs?: number;
}

export interface VmInfo {
  vmid: string;
  buildId: number | null;
  appliance: string;
  version: string;
  accel: Accel;
  forwards: HostForward[];
  startedAt: string;
  purpose: string;
  pid: number;
  /** The Node process that owns the VM; the reaper leaves VMs of live owners alone. */
  ownerPid: number;
  stateDir: string;
  socketDir: string;
  status: 'starting' | 'running' | 'stopped' | 'interrupted';
  stoppedAt?: string;
  stoppedBy?: StopStep;
}

/** How a VM ended: the first rung of the stop ladder that worked. */
export type StopStep = 'exited' | 'powerdown' | 'quit' | 'sigterm' | 'sigkill';

export class CommandFailedError extends Error {
  constructor(readonly command: string, readonly result: RunResult) {
    const out = (result.stderr || result.stdout).trim().split('\n').slice(-10).join('\n');
    super(`\`${command}\` failed with exit code ${result.exitCode}${out ? `:\n${out}` : ''}`);
    this.name = 'CommandFailedError';
  }
}

export function newVmId(): string {
  return `${Date.now().toString(36)}-${crypto.randomBytes(3).toString('hex')}`;
}

export function vmStateDir(home: string, vmid: string): string {
  return path.join(home, 'vms', vmid);
}

export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Unix socket paths are limited to ~107 bytes; a deep home puts the sockets in a short temp dir. */
const MAX_SOCKET_PATH = 100;

/** The unix sockets qemu serves for one VM. */
const SOCKETS = ['console.sock', 'control.sock', 'size.sock', 'qmp.sock', SHARED_QMP];

export class Machine {
  readonly vmid: string;
  readonly stateDir: string;
  private socketDir: string;
  private proc?: QemuProcess;
  private qmp?: QmpClient;
  private consoleRef?: SerialConsole;
  private controlRef?: ControlChannel;
  private sizeRef?: net.Socket;
  private info?: VmInfo;
  private released?: Promise<void>;
  private exitInfo?: QemuExit;
  private readonly log: LogFn;

  constructor(private readonly opts: MachineOptions) {
    this.vmid = opts.vmid ?? newVmId();
    this.stateDir = vmStateDir(opts.home, this.vmid);
    this.socketDir = this.stateDir;
    this.log = opts.log ?? (() => undefined);
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get forwards(): HostForward[] {
    return this.info?.forwards ?? [];
  }

  /** The host port that reaches `guest` port, if it is forwarded. */
  hostPort(guest: number): number | undefined {
    return this.forwards.find((f) => f.guest === guest)?.host;
  }

  get console(): SerialConsole {
    if (!this.consoleRef) throw new Error('The VM has not been started.');
    return this.consoleRef;
  }

  get isRunning(): boolean {
    return this.proc?.isRunning() ?? false;
  }

  /** Resolves when qemu has exited (never rejects once start() succeeded). */
  get exited(): Promise<QemuExit> {
    if (!this.proc) return Promise.reject(new Error('The VM has not been started.'));
    return this.proc.exited.catch(() => ({ code: null, signal: null }));
  }

  get exit(): QemuExit | undefined {
    return this.exitInfo;
  }

  get vmInfo(): VmInfo | undefined {
    return this.info ? { ...this.info } : undefined;
  }

  /** Launches qemu and connects its console, control and QMP sockets. Does not wait for boot. */
  async start(): Promise<void> {
    if (this.proc) throw new Error(`VM ${this.vmid} was already started.`);
    const o = this.opts;
    const accel = o.accel ?? 'tcg';
    if (accel === 'tcg') this.log('warn', 'KVM is not available: the VM runs under TCG software emulation, several times slower.');
    fs.mkdirSync(this.stateDir, { recursive: true });
    if (path.join(this.stateDir, 'console.sock').length > MAX_SOCKET_PATH) {
      this.socketDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-vm-'));
    }
    const sock = (name: string) => path.join(this.socketDir, name);
    for (const s of SOCKETS) fs.rmSync(sock(s), { force: true });

    const forwards: HostForward[] = [];
    for (const f of o.forwards ?? []) forwards.push({ guest: f.guest, host: f.host ?? (await freeTcpPort()) });

    const pidFile = path.join(this.stateDir, 'qemu.pid');
    const uefi = o.firmware === 'uefi' ? ovmfFiles(this.stateDir) : undefined;
    const argv = qemuArgs({
      uefi,
      vmid: this.vmid,
      accel,
      memoryMiB: o.memoryMiB ?? 256,
      cpus: o.cpus ?? 1,
      osDisk: o.osDisk,
      dataDisk: o.dataDisk,
      mediumDisk: o.mediumDisk,
      reboot: o.reboot,
      hardware: o.hardware,
      kernel: o.kernel,
      initrd: o.initrd,
      append: o.append,
      forwards,
      outbound: o.outbound,
      consoleSocket: sock('console.sock'),
      controlSocket: o.control ? sock('control.sock') : undefined,
      sizeSocket: sock('size.sock'),
      qmpSocket: sock('qmp.sock'),
      sharedQmpSocket: sock(SHARED_QMP),
      pidFile,
    });
    this.info = {
      vmid: this.vmid,
      buildId: o.buildId ?? null,
      appliance: o.appliance ?? '',
      version: o.version ?? '',
      accel,
      forwards,
      startedAt: new Date().toISOString(),
      purpose: o.purpose ?? 'test',
      pid: 0,
      ownerPid: process.pid,
      stateDir: this.stateDir,
      socketDir: this.socketDir,
      status: 'starting',
    };
    // Written before qemu exists, so a reaper always knows whose VM this is.
    this.writeInfo();
    const setpriv = findSetpriv();
    if (!setpriv && process.platform === 'linux') this.log('warn', 'setpriv (util-linux) not found: a VM may outlive a crashed Yoke until the next start reaps it.');
    const proc = launchQemu(argv, { binary: o.qemuBinary, setpriv });
    this.proc = proc;
    this.info.pid = proc.pid;
    this.writeInfo();
    this.log('debug', `qemu: ${proc.commandLine}`);
    void proc.exited.then(
      (e) => {
        this.exitInfo = e;
      },
      () => undefined,
    );

    try {
      if (proc.pid < 0) await proc.exited; // throws "qemu is not installed"
      const timeout = o.startTimeoutMs ?? 15_000;
      const alive = () => proc.isRunning();
      // Console first: with wait=on qemu blocks until this connection exists.
      this.consoleRef = new SerialConsole(await connectUnix(sock('console.sock'), timeout, 'console', alive), path.join(this.stateDir, 'console.log'));
      if (o.control) this.controlRef = new ControlChannel(await connectUnix(sock('control.sock'), timeout, 'control', alive));
      this.sizeRef = await connectUnix(sock('size.sock'), timeout, 'console size', alive);
      this.sizeRef.on('data', () => undefined); // the guest's echo, if any, is not read
      this.sizeRef.on('error', () => undefined);
      this.qmp = await QmpClient.connect(sock('qmp.sock'), timeout, alive);
    } catch (err) {
      await this.kill();
      const why = proc.stderrTail();
      throw new Error(`qemu did not start: ${(err as Error).message}${why ? `\nqemu said:\n${why}` : ''}`);
    }
    this.info.status = 'running';
    this.writeInfo();
    void this.exited.then(() => this.release());
  }

  /**
   * Tells the guest the size of the window its console is shown in. A serial line carries no
   * size, so it goes on its own serial port, where the guest's init sets it on the console tty
   * (and the kernel sends SIGWINCH to the program in front).
   */
  resizeConsole(rows: number, cols: number): void {
    if (!this.sizeRef || this.sizeRef.destroyed) return;
    this.sizeRef.write(`${Math.max(1, Math.round(rows))} ${Math.max(1, Math.round(cols))}\n`);
  }

  async waitForConsoleText(re: RegExp, timeoutMs = 60_000): Promise<RegExpExecArray> {
    return this.console.waitForText(re, timeoutMs);
  }

  /** Waits until the control shell answers. */
  async waitForControl(timeoutMs = 60_000): Promise<void> {
    await this.control().ready(timeoutMs);
  }

  /** Runs a shell command in the guest; a non-zero exit is a result, not an error. */
  async execute(cmd: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.control().run(cmd, opts);
  }

  /** Runs a shell command in the guest and returns its stdout; a non-zero exit throws. */
  async succeed(cmd: string, opts: RunOptions = {}): Promise<string> {
    const r = await this.execute(cmd, opts);
    if (r.exitCode !== 0) throw new CommandFailedError(cmd, r);
    return r.stdout;
  }

  /** Presses the ACPI power button and waits for qemu to exit; false if it did not in time. */
  async powerDown(timeoutMs = 30_000): Promise<boolean> {
    // The button is pressed again every second: a press that comes before the guest has loaded
    // its ACPI button driver (it loads off the boot's critical path) is otherwise lost. The
    // guest's shutdown script ignores presses once it is stopping.
    const deadline = Date.now() + timeoutMs;
    while (this.isRunning) {
      try {
        await this.qmp?.execute('system_powerdown');
      } catch {
        /* already going away */
      }
      const left = deadline - Date.now();
      if (left <= 0) return false;
      if (await this.waitExit(Math.min(1000, left))) return true;
    }
    return true;
  }

  /**
   * Ends the VM, gently first: ACPI power-off (graceMs), QMP quit, SIGTERM, SIGKILL.
   * Always returns with qemu reaped and the sockets closed.
   */
  async stop(opts: { graceMs?: number } = {}): Promise<StopStep> {
    let step: StopStep = 'exited';
    if (this.isRunning) {
      if ((opts.graceMs ?? 10_000) > 0 && (await this.powerDown(opts.graceMs ?? 10_000))) step = 'powerdown';
      else step = await this.forceStop();
    }
    await this.release();
    this.recordStop(step);
    return step;
  }

  /** Pulls the plug: QMP quit, then signals. */
  async kill(): Promise<StopStep> {
    const step = this.isRunning ? await this.forceStop() : 'exited';
    await this.release();
    this.recordStop(step);
    return step;
  }

  /**
   * A point-in-time copy of the running VM's data disk (QMP drive-backup: crash-consistent, the
   * guest runs on), written as a sparse raw image to `rawPath`.
   */
  async backupDataDisk(rawPath: string, timeoutMs = 600_000): Promise<void> {
    if (!this.qmp || !this.isRunning) throw new Error('Cannot save the data disk: the VM is not running.');
    if (!this.opts.dataDisk) throw new Error('This VM has no data disk.');
    await backupDataDisk(this.qmp, rawPath, timeoutMs);
  }

  /** A PNG of the VM's screen (VGA), through QMP screendump. */
  async screenshot(pngPath: string): Promise<void> {
    if (!this.qmp || !this.isRunning) throw new Error('Cannot take a screenshot: the VM is not running.');
    fs.mkdirSync(path.dirname(path.resolve(pngPath)), { recursive: true });
    await this.qmp.execute('screendump', { filename: path.resolve(pngPath), format: 'png' });
  }

  private async forceStop(): Promise<StopStep> {
    if (this.qmp && !this.qmp.closed) {
      void this.qmp.execute('quit').catch(() => undefined);
      if (await this.waitExit(2000)) return 'quit';
    }
    this.proc?.kill('SIGTERM');
    if (await this.waitExit(2000)) return 'sigterm';
    this.proc?.kill('SIGKILL');
    await this.waitExit(10_000);
    return 'sigkill';
  }

  private control(): ControlChannel {
    if (!this.controlRef) throw new Error('This VM has no control channel: start it with { control: true } (test boots only).');
    return this.controlRef;
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (!this.proc || !this.proc.isRunning()) return true;
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      this.exited.then(() => true),
      new Promise<boolean>((res) => (timer = setTimeout(() => res(false), ms))),
    ]);
    clearTimeout(timer);
    return r;
  }

  private recordStop(step: StopStep): void {
    if (this.info && step !== 'exited') {
      this.info.stoppedBy = step;
      this.writeInfo();
    }
  }

  private release(): Promise<void> {
    if (!this.released) {
      this.released = (async () => {
        await this.exited;
        this.controlRef?.close('the VM stopped');
        this.sizeRef?.destroy();
        this.qmp?.close();
        await this.consoleRef?.close();
        for (const s of SOCKETS) fs.rmSync(path.join(this.socketDir, s), { force: true });
        // A stale pidfile could later name an unrelated process (the reaper checks, but why leave it).
        fs.rmSync(path.join(this.stateDir, 'qemu.pid'), { force: true });
        if (this.socketDir !== this.stateDir) fs.rmSync(this.socketDir, { recursive: true, force: true });
        if (this.info) {
          this.info.status = 'stopped';
          this.info.stoppedAt = new Date().toISOString();
          this.info.stoppedBy = 'exited';
          this.writeInfo();
        }
      })();
    }
    return this.released;
  }

  private writeInfo(): void {
    const file = path.join(this.stateDir, 'vm.json');
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(this.info, null, 2) + '\n');
    fs.renameSync(`${file}.tmp`, file);
  }
}
