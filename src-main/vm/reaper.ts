// Finds qemu processes left behind by a Yoke that died without stopping them (a host without
// setpriv, or the instant between fork and prctl) and kills them. A pid is only trusted when
// /proc/PID/cmdline really is that VM's qemu (`-name yoke-<vmid>`): pids are reused, and an
// unrelated process that inherited one must never be touched.
import fs from 'node:fs';
import path from 'node:path';
import { vmProcessName } from './qemu-args';

export interface ReapedInfo {
  pid: number;
  stateDir: string;
  /** vm.json as it was found, when readable. */
  vm?: Record<string, unknown>;
}

function markInterrupted(stateDir: string, vm: Record<string, unknown>): void {
  const updated = { ...vm, status: 'interrupted', stoppedAt: new Date().toISOString(), stoppedBy: 'reaper' };
  fs.writeFileSync(path.join(stateDir, 'vm.json'), JSON.stringify(updated, null, 2) + '\n');
}

/** True when argv (split /proc/PID/cmdline) names the qemu of `vmid`. */
export function isQemuOf(argv: string[], vmid: string): boolean {
  const name = vmProcessName(vmid);
  const i = argv.indexOf('-name');
  if (i < 0) return false;
  const v = argv[i + 1] ?? '';
  return (v === name || v.startsWith(`${name},`)) && argv.some((a) => /qemu-system/.test(path.basename(a)));
}

/** Whether `pid` is still the qemu of `vmid` (a pid can be reused by anything once qemu is gone). */
export function qemuAlive(pid: number | null, vmid: string): boolean {
  if (!pid) return false;
  const argv = readArgv(pid);
  return argv !== null && isQemuOf(argv, vmid);
}

function readArgv(pid: number): string[] | null {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    const m = /^PPid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Kills every stray VM under ${home}/vms/ and returns how many it killed. A VM still owned by
 * a live Yoke (its qemu's parent is the ownerPid recorded in vm.json) is left alone.
 */
export async function reapStrays(home: string, onReaped?: (vmid: string, info: ReapedInfo) => void): Promise<number> {
  const root = path.join(home, 'vms');
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return 0;
  }
  let killed = 0;
  for (const vmid of entries) {
    const stateDir = path.join(root, vmid);
    const pidFile = path.join(stateDir, 'qemu.pid');
    let pid: number;
    try {
      pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
    } catch {
      continue;
    }
    if (!Number.isInteger(pid) || pid <= 1) continue;
    let vm: Record<string, unknown> | undefined;
    try {
      vm = JSON.parse(fs.readFileSync(path.join(stateDir, 'vm.json'), 'utf8')) as Record<string, unknown>;
    } catch {
      vm = undefined;
    }
    const argv = readArgv(pid);
    if (!argv || !isQemuOf(argv, vmid)) {
      // Dead (e.g. its owner was killed and the parent-death signal took qemu along), or the pid
      // now belongs to someone else: the stale pidfile goes and the VM is recorded as interrupted.
      fs.rmSync(pidFile, { force: true });
      if (vm && (vm.status === 'running' || vm.status === 'starting')) {
        markInterrupted(stateDir, vm);
        onReaped?.(vmid, { pid, stateDir, vm });
      }
      continue;
    }
    const owner = typeof vm?.ownerPid === 'number' ? vm.ownerPid : null;
    if (owner !== null && owner !== process.pid && parentOf(pid) === owner && alive(owner)) continue;
    if (owner === process.pid) continue; // our own VM
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* exited meanwhile */
    }
    for (let i = 0; i < 100 && readArgv(pid) && isQemuOf(readArgv(pid) ?? [], vmid); i++) await sleep(20);
    fs.rmSync(pidFile, { force: true });
    for (const s of ['console.sock', 'control.sock', 'qmp.sock', 'qmp-shared.sock']) fs.rmSync(path.join(stateDir, s), { force: true });
    if (vm) markInterrupted(stateDir, vm);
    killed++;
    onReaped?.(vmid, { pid, stateDir, vm });
  }
  return killed;
}
