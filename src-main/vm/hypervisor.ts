// The seam for hypervisors: what a VM is to the rest of Yoke (after the NixOS test driver's
// Machine), and how one is made. qemu is the implementation; hardware profiles (disk controller,
// NIC, firmware) are data handed to it, never a branch in the jobs.
import type { SerialConsole } from './console';
import type { RunOptions, RunResult } from './control';
import { Machine, type MachineOptions, type StopStep, type VmInfo } from './machine';
import type { HostForward } from './qemu-args';
import type { QemuExit } from './qemu-process';

export interface VirtualMachine {
  readonly vmid: string;
  readonly pid: number | undefined;
  readonly forwards: HostForward[];
  readonly console: SerialConsole;
  readonly isRunning: boolean;
  /** Resolves when the VM has ended (never rejects once started). */
  readonly exited: Promise<QemuExit>;
  readonly vmInfo: VmInfo | undefined;
  /** Starts the VM; does not wait for it to boot. */
  start(): Promise<void>;
  hostPort(guest: number): number | undefined;
  waitForConsoleText(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  waitForControl(timeoutMs?: number): Promise<void>;
  /** Runs a shell command in the guest (test boots only); a non-zero exit is a result. */
  execute(cmd: string, opts?: RunOptions): Promise<RunResult>;
  /** Runs a shell command in the guest and returns stdout; a non-zero exit throws. */
  succeed(cmd: string, opts?: RunOptions): Promise<string>;
  /** The ACPI power button, pressed until the guest listens; false if it did not stop in time. */
  powerDown(timeoutMs?: number): Promise<boolean>;
  /** The stop ladder: power down (graceMs), then ever harder; always returns with the VM gone. */
  stop(opts?: { graceMs?: number }): Promise<StopStep>;
  /** Pulls the plug. */
  kill(): Promise<StopStep>;
  /** A point-in-time copy of the data disk while the VM runs, as a sparse raw image. */
  backupDataDisk(rawPath: string, timeoutMs?: number): Promise<void>;
  /** A PNG of the VM's screen. */
  screenshot(pngPath: string): Promise<void>;
  /** Tells the guest the size (characters) of the window its console is shown in. */
  resizeConsole(rows: number, cols: number): void;
}

export type VmOptions = MachineOptions;

export interface Hypervisor {
  readonly name: string;
  create(o: VmOptions): VirtualMachine;
}

export const qemu: Hypervisor = {
  name: 'qemu',
  create: (o) => new Machine(o),
};
