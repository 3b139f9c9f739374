import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findKernel } from '../build/kernel';
import { findSetpriv, launchQemu } from '../vm/qemu-process';
import { readCpuinfo, virtFlags } from './cpuinfo';
import { findExecutable } from '../tools/find-executable';
import { readProbeCache, writeProbeCache, type AccelReport } from './probe-cache';
import { readToolVersion } from './tool-version';

export type { AccelReport } from './probe-cache';

/**
 * Where a kernel booted without any root device always gets to once it is fully up: it panics
 * because it has nothing to mount. Reaching it proves the accelerator runs real Linux, which a
 * mere /dev/kvm (or a 16-bit boot-sector test) does not: on some hosts both look fine and a
 * Linux boot then hangs forever.
 */
export const PROBE_MARKERS: readonly RegExp[] = [/Kernel panic - not syncing/, /VFS: Unable to mount root/, /Run \/init as init process/];

export const KVM_PROBE_TIMEOUT_MS = 3000;

export function kvmProbeArgs(o: { accel: 'kvm' | 'tcg'; kernel: string; serialFile: string }): string[] {
  return [
    '-name', 'yoke-accel-probe',
    '-accel', o.accel,
    '-cpu', o.accel === 'kvm' ? 'host' : 'max',
    '-m', '128',
    '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
    '-serial', `file:${o.serialFile}`,
    '-kernel', o.kernel,
    // panic=-1 reboots at once, which -no-reboot turns into qemu exiting.
    '-append', 'console=ttyS0 panic=-1 cryptomgr.notests tsc=reliable no_timer_check i8042.noaux mitigations=off',
  ];
}

/** The last non-empty console line, shortened for a one-line reason. */
export function lastLine(text: string): string | undefined {
  const line = text.trimEnd().split('\n').pop()?.replace(/^\[\s*[\d.]+\]\s*/, '').trim();
  if (!line) return undefined;
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

export interface BootProbeResult {
  reached: boolean;
  ms: number;
  reason: string;
}

/** Boots the kernel with no root under `accel` and waits (at most timeoutMs) for it to reach a marker. */
export async function bootProbe(o: { accel: 'kvm' | 'tcg'; kernel: string; timeoutMs: number; qemu?: string }): Promise<BootProbeResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-probe-'));
  const serialFile = path.join(dir, 'serial.log');
  const started = performance.now();
  const vm = launchQemu(kvmProbeArgs({ accel: o.accel, kernel: o.kernel, serialFile }), { binary: o.qemu, setpriv: findSetpriv() });
  const readConsole = () => {
    try {
      return fs.readFileSync(serialFile, 'utf8');
    } catch {
      return '';
    }
  };
  let exited = false;
  vm.exited.then(() => (exited = true), () => (exited = true));
  try {
    for (;;) {
      const out = readConsole();
      const hit = PROBE_MARKERS.map((m) => m.exec(out)).find((m) => m);
      const ms = Math.round(performance.now() - started);
      if (hit) return { reached: true, ms, reason: `a test Linux boot under ${o.accel} came up in ${ms} ms` };
      if (exited) {
        const exit = await vm.exited.catch((e: Error) => ({ code: null, signal: e.message }));
        const said = lastLine(vm.stderrTail());
        return { reached: false, ms, reason: `qemu -accel ${o.accel} ended (${exit.signal ?? `exit code ${exit.code}`}) before Linux came up${said ? `: ${said}` : ''}` };
      }
      if (ms >= o.timeoutMs) {
        const seen = lastLine(out);
        const said = lastLine(vm.stderrTail());
        return {
          reached: false,
          ms,
          reason:
            `a test Linux boot under ${o.accel} hung: ${seen ? `stuck after "${seen}"` : 'no console output'} within ${(o.timeoutMs / 1000).toFixed(1)} s` +
            (said ? ` (qemu: ${said})` : ''),
        };
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  } finally {
    vm.kill('SIGKILL');
    await vm.exited.catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface ProbeOptions {
  /** Ignore the cached answer and probe again. */
  refresh?: boolean;
  /** Known already (the doctor has them); looked up when absent. */
  qemuPath?: string | null;
  qemuVersion?: string;
  pathEnv?: string;
  devKvm?: string;
  cpuinfoFile?: string;
  /** The kernel to test-boot (default: findKernel(home)); null means there is none. */
  kernelPath?: string | null;
  timeoutMs?: number;
}

const TCG = (kvm: AccelReport['kvm'], reason: string, probeMs = 0): AccelReport => ({ kvm, using: 'tcg', reason, probeMs });

/**
 * Can this machine run appliances under KVM? The cheap checks come first and answer at once;
 * only a host that passes them gets a real test boot, whose answer is cached for a day in
 * `<home>/host-probe.json`, keyed by qemu's version and the host kernel's release.
 */
export async function probeKvm(home: string, opts: ProbeOptions = {}): Promise<AccelReport> {
  const devKvm = opts.devKvm ?? '/dev/kvm';
  if (!fs.existsSync(devKvm)) return TCG('absent', `${devKvm} does not exist (the kvm module is not loaded, or this is not a Linux host)`);
  const cpuinfo = readCpuinfo(opts.cpuinfoFile);
  if (cpuinfo !== null) {
    const f = virtFlags(cpuinfo);
    if (!f.vmx && !f.svm) return TCG('unusable', `${opts.cpuinfoFile ?? '/proc/cpuinfo'} has no vmx/svm flags (this machine offers no hardware virtualisation)`);
  }
  try {
    fs.accessSync(devKvm, fs.constants.R_OK | fs.constants.W_OK);
  } catch {
    return TCG('unusable', `no permission to open ${devKvm}: add yourself to its group (sudo adduser $USER kvm) and log in again`);
  }
  const qemu = opts.qemuPath === undefined ? findExecutable('qemu-system-x86_64', opts.pathEnv) : opts.qemuPath;
  if (!qemu) return TCG('unusable', 'qemu-system-x86_64 is not installed, so KVM cannot be tried');
  const qemuVersion = opts.qemuVersion ?? (await readToolVersion('qemu-system-x86_64', qemu, ['--version'], 'qemu-system-x86')) ?? 'unknown';
  const key = { qemu: qemuVersion, hostKernel: os.release() };
  if (!opts.refresh) {
    const cached = readProbeCache(home, key);
    if (cached) return { ...cached, probeMs: 0 };
  }
  const kernel = opts.kernelPath === undefined ? (findKernel(home)?.path ?? null) : opts.kernelPath;
  // Not cached: the answer changes as soon as `yoke build` has fetched a kernel.
  if (!kernel) return TCG('unusable', 'not tried yet: a test boot needs a kernel, and there is none until `yoke build` fetches one');
  const r = await bootProbe({ accel: 'kvm', kernel, timeoutMs: opts.timeoutMs ?? KVM_PROBE_TIMEOUT_MS, qemu });
  const accel: AccelReport = r.reached
    ? { kvm: 'usable', using: 'kvm', reason: r.reason, probeMs: r.ms }
    : TCG('unusable', r.reason, r.ms);
  writeProbeCache(home, key, accel);
  return accel;
}

/** The accelerator a VM should use now; cheap after the first probe (cached). */
export async function probeAccel(home: string): Promise<'kvm' | 'tcg'> {
  return (await probeKvm(home)).using;
}
