import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { reapStrays } from '../../../src-main/vm/reaper';
import { makeTestHome, qemuPidsNamed } from './fixture';

const started: number[] = [];
afterEach(() => {
  for (const pid of started.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
});

/** A stray: a daemonized qemu (parent gone, reparented to init) named like a Yoke VM. */
function strayQemu(home: string, vmid: string): number {
  const dir = path.join(home, 'vms', vmid);
  fs.mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'qemu.pid');
  const r = spawnSync('qemu-system-x86_64', ['-name', `yoke-${vmid}`, '-nodefaults', '-display', 'none', '-accel', 'tcg', '-m', '32', '-S', '-daemonize', '-pidfile', pidFile], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`qemu -daemonize failed: ${r.stderr}`);
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  started.push(pid);
  fs.writeFileSync(path.join(dir, 'vm.json'), JSON.stringify({ vmid, ownerPid: 999999, status: 'running' }));
  return pid;
}

it('kills a stray VM and marks it interrupted', async () => {
  const home = makeTestHome();
  const pid = strayQemu(home, 'stray1');
  expect(qemuPidsNamed('stray1')).toEqual([pid]);
  const seen: string[] = [];
  expect(await reapStrays(home, (vmid, info) => seen.push(`${vmid}:${info.pid}`))).toBe(1);
  expect(qemuPidsNamed('stray1')).toEqual([]);
  expect(seen).toEqual([`stray1:${pid}`]);
  const vm = JSON.parse(fs.readFileSync(path.join(home, 'vms', 'stray1', 'vm.json'), 'utf8'));
  expect(vm.status).toBe('interrupted');
  expect(fs.existsSync(path.join(home, 'vms', 'stray1', 'qemu.pid'))).toBe(false);
  expect(await reapStrays(home)).toBe(0);
});

it('leaves alone an unrelated process that reuses a recorded pid', async () => {
  const home = makeTestHome();
  const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
  started.push(sleeper.pid!);
  const dir = path.join(home, 'vms', 'old1');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'qemu.pid'), `${sleeper.pid}\n`);
  fs.writeFileSync(path.join(dir, 'vm.json'), JSON.stringify({ vmid: 'old1', ownerPid: 999999 }));
  expect(await reapStrays(home)).toBe(0);
  expect(sleeper.exitCode).toBeNull();
  expect(() => process.kill(sleeper.pid!, 0)).not.toThrow();
});

it('leaves alone a qemu of another VM id and a VM whose owner still lives', async () => {
  const home = makeTestHome();
  const pid = strayQemu(home, 'other1');
  // vm "mine" points at other1's qemu: the name does not match, so it is not "mine".
  fs.mkdirSync(path.join(home, 'vms', 'mine'), { recursive: true });
  fs.writeFileSync(path.join(home, 'vms', 'mine', 'qemu.pid'), String(pid));
  // other1 now claims a live owner that is its parent (init after -daemonize).
  const ppid = Number(/PPid:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  fs.writeFileSync(path.join(home, 'vms', 'other1', 'vm.json'), JSON.stringify({ vmid: 'other1', ownerPid: ppid }));
  expect(await reapStrays(home)).toBe(0);
  expect(qemuPidsNamed('other1')).toEqual([pid]);
});
