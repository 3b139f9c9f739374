// The live loop (`yoke dev`, the app's Live switch): one development VM stays up; every edit to
// the overlay is copied into it over the control channel, the services that use the changed
// files restart, and the checks run again. What a running VM cannot take (kernel, disks, memory,
// services' command lines) rebuilds and reboots, saying why.
import fs from 'node:fs';
import path from 'node:path';
import type { CheckResult, EventPayload, Problem } from '../api/contract';
import { runChecks } from '../checks/run-checks';
import { walkOverlay } from '../build/rootfs';
import { loadSpec } from '../spec/load';
import { requireSpec } from '../spec/require';
import { isIgnoredChange } from '../spec/editor-droppings';
import type { ApplianceSpec } from '../spec/types';
import { waitUntilReady } from '../vm/ready';
import { buildWithin, upToDateBuild } from './build-job';
import type { JobContext } from './context';
import type { JobHandle, JobOutcome, JobResult } from './jobs';
import type { LiveVm } from './machines';
import { affectedServices, diffSnapshots, guestPath, needsReboot, putCommands, removeCommand, restartCommand, snapshot, type Snapshot } from './dev-sync';

/** Editors save in bursts (write a temp file, rename, chmod): one cycle per burst. */
export const DEV_DEBOUNCE_MS = 40;
const BOOT_TIMEOUT_MS = 180_000;
/** Below this, a sync is not worth a round trip to ask the guest for its free space. */
const SPACE_CHECK_BYTES = 256 * 1024;

type Cycle = Omit<EventPayload<'dev.cycle'>, 'jobId' | 'vmId' | 'diverged'>;

class DevLoop {
  private live!: LiveVm;
  private spec: ApplianceSpec;
  private snap: Snapshot = new Map();
  private diverged = false;
  private lastChangeAt = 0;
  private pending = new Set<string>();
  private firstSeenAt: number | null = null;
  private wake: () => void = () => undefined;
  private timer: NodeJS.Timeout | null = null;
  private buildId = 0;

  constructor(
    private readonly ctx: JobContext,
    private readonly job: JobHandle,
    spec: ApplianceSpec,
  ) {
    this.spec = spec;
  }

  private emitCycle(c: Cycle): void {
    this.ctx.emit('dev.cycle', { jobId: this.job.id, vmId: this.live?.machine.vmid ?? '', diverged: this.diverged, ...c });
    const failed = c.checks.filter((x) => x.status === 'failed');
    this.job.log(c.status === 'passed' ? 'info' : 'error', `live: ${c.rebuilt ? `rebuilt (${c.rebuilt}); ` : ''}${c.changed.length} changed, restarted ${c.restarted.join(', ') || 'nothing'}; checks ${c.status}${failed.length ? ` (${failed.map((x) => x.name).join(', ')})` : ''} in ${c.ms} ms`);
  }

  private async overlaySnapshot(spec: ApplianceSpec): Promise<Snapshot> {
    return snapshot(spec.rootfs.overlay ? await walkOverlay(spec.rootfs.overlay, spec.rootfs.exclude, this.job.signal) : []);
  }

  /** The appliance-folder-relative name of an overlay entry, as the user sees it. */
  private shown(spec: ApplianceSpec, rel: string): string {
    return spec.rootfs.overlay ? path.relative(spec.dir, path.join(spec.rootfs.overlay, rel)) : rel;
  }

  private async checks(spec: ApplianceSpec): Promise<CheckResult[]> {
    return runChecks(this.live.machine, spec.checks, { services: spec.services, signal: this.job.signal });
  }

  /** Build (when the folder changed since the last build), boot a fresh VM, wait for it, check it. */
  private async boot(seenAt: number, reason: string | null, changed: string[]): Promise<void> {
    if (this.live?.machine.isRunning) await this.live.machine.stop({ graceMs: 5000 });
    const spec = requireSpec(this.spec.dir);
    // Taken before the build reads the folder: an edit made while it builds is synced again
    // afterwards (harmless) instead of being missed.
    const before = await this.overlaySnapshot(spec);
    const current = upToDateBuild(this.ctx, spec);
    this.job.progress('build', null, reason ?? 'building if the folder changed');
    this.buildId = current ?? (await buildWithin(this.ctx, spec.dir, this.job, 'the build', 0.5));
    this.job.setBuildId(this.buildId);
    this.job.progress('boot', null, `booting build #${this.buildId}`);
    this.live = await this.ctx.machines.launch({ buildId: this.buildId, purpose: 'dev', log: (l, t) => this.job.log(l, t) });
    this.spec = spec;
    this.snap = before;
    this.diverged = false;
    const ready = await waitUntilReady(this.live.machine, BOOT_TIMEOUT_MS, this.job.signal);
    if (this.job.signal.aborted) return;
    this.ctx.emit('dev.ready', { jobId: this.job.id, vmId: this.live.machine.vmid, buildId: this.buildId, forwards: this.live.machine.forwards });
    const checks = ready.ok ? await this.checks(spec) : spec.checks.map((c): CheckResult => ({ name: c.name, kind: c.kind, status: 'failed', message: `not run: ${ready.reason}`, durationMs: 0 }));
    this.job.progress('watching', 1, `watching ${spec.dir}`);
    this.emitCycle({ status: checks.every((c) => c.status === 'passed') ? 'passed' : 'failed', checks, changed, restarted: [], ...(reason ? { rebuilt: reason } : {}), ms: Date.now() - seenAt });
  }

  /** Applies one burst of changes. */
  private async cycle(): Promise<void> {
    const seenAt = this.firstSeenAt ?? Date.now();
    this.firstSeenAt = null;
    this.pending.clear();
    this.lastChangeAt = seenAt;
    const loaded = loadSpec(this.spec.dir);
    if (!loaded.spec || loaded.problems.length) {
      // The VM keeps running the last good state; the errors say where.
      this.emitCycle({ status: 'invalid', checks: [], changed: [], restarted: [], problems: loaded.problems as Problem[], ms: Date.now() - seenAt });
      return;
    }
    const spec = loaded.spec;
    if (!this.live.machine.isRunning) return this.boot(seenAt, 'the VM had stopped', []);
    const reboot = needsReboot(this.spec, spec);
    if (reboot) return this.boot(seenAt, reboot, []);
    const next = await this.overlaySnapshot(spec);
    const diff = diffSnapshots(this.snap, next);
    const bytes = diff.put.reduce((n, f) => n + (f.kind === 'file' ? f.size : 0), 0);
    const vm = this.live.machine;
    if (bytes > SPACE_CHECK_BYTES) {
      // Files go into the guest's root, which lives in RAM: refuse what does not fit rather than fill it.
      // The busybox root is an initramfs (df says 0: it grows in RAM), so RAM is what is free.
      const df = await vm.execute(`df -k / | tail -n 1; grep MemAvailable /proc/meminfo`, { timeoutMs: 10_000 });
      const [dfLine = '', memLine = ''] = df.stdout.trim().split('\n');
      const dfAvail = Number(dfLine.trim().split(/\s+/)[3]);
      const availKiB = dfAvail > 0 ? dfAvail : Number(memLine.trim().split(/\s+/)[1]);
      if (Number.isFinite(availKiB) && bytes * 1.5 > availKiB * 1024) {
        const big = diff.put.filter((f) => f.kind === 'file').sort((a, b) => b.size - a.size)[0];
        const failed: CheckResult = { name: 'sync', kind: 'sync', status: 'failed', message: `${this.shown(spec, big.rel)} and the other changed files (${(bytes / 1048576).toFixed(1)} MiB) do not fit in the VM's free space (${(availKiB / 1024).toFixed(1)} MiB); nothing was copied. Raise vm.memory or make the file smaller.`, durationMs: 0 };
        this.emitCycle({ status: 'failed', checks: [failed], changed: [], restarted: [], ms: Date.now() - seenAt });
        return;
      }
    }
    for (const f of diff.put) for (const cmd of putCommands(f)) await vm.succeed(cmd, { timeoutMs: 30_000 });
    for (const rel of diff.remove) await vm.succeed(removeCommand(rel), { timeoutMs: 30_000 });
    const changedGuest = [...diff.put.map((f) => guestPath(f.rel)), ...diff.remove.map(guestPath)];
    const restarted = affectedServices(spec.services, changedGuest);
    if (restarted.length) await vm.succeed(restartCommand(restarted), { timeoutMs: 10_000 });
    if (changedGuest.length && !this.diverged) {
      this.diverged = true;
      this.ctx.machines.setDiverged(vm.vmid, true);
    }
    this.snap = next;
    this.spec = spec;
    const checks = await this.checks(spec);
    const changed = [...diff.put.map((f) => this.shown(spec, f.rel)), ...diff.remove.map((rel) => this.shown(spec, rel))];
    this.emitCycle({ status: checks.every((c) => c.status === 'passed') ? 'passed' : 'failed', checks, changed, restarted, ms: Date.now() - seenAt });
  }

  private noticed(file: string | null): void {
    if (isIgnoredChange(file)) return;
    this.pending.add(file ?? '');
    this.firstSeenAt ??= Date.now();
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.wake(), DEV_DEBOUNCE_MS);
  }

  /** A full build + test of these inputs that passed makes the dev VM honest again. */
  private watchFullTests(): () => void {
    const kinds = new Map<string, string>();
    return this.ctx.on((event, payload) => {
      if (event === 'job.started') kinds.set((payload as EventPayload<'job.started'>).jobId, (payload as EventPayload<'job.started'>).kind);
      if (event !== 'job.finished') return;
      const p = payload as EventPayload<'job.finished'>;
      const kind = kinds.get(p.jobId);
      kinds.delete(p.jobId);
      if (kind !== 'test' || p.status !== 'succeeded' || p.buildId === undefined) return;
      const b = this.ctx.store().getBuildRecord(p.buildId);
      if (b && b.dir === this.spec.dir && Date.parse(b.createdAt) >= this.lastChangeAt && this.diverged) {
        this.diverged = false;
        this.ctx.machines.setDiverged(this.live.machine.vmid, false);
      }
    });
  }

  async run(): Promise<JobResult> {
    const signal = this.job.signal;
    // Watching starts before the first build: edits made while it builds and boots are applied next.
    const watcher = fs.watch(this.spec.dir, { recursive: true, persistent: false }, (_e, f) => this.noticed(f === null ? null : String(f)));
    watcher.on('error', () => undefined);
    const off = this.watchFullTests();
    try {
      await this.boot(Date.now(), null, []);
      if (this.pending.size && !this.timer) this.wake();
      while (!signal.aborted) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          signal.addEventListener('abort', () => resolve(), { once: true });
        });
        if (signal.aborted) break;
        try {
          await this.cycle();
        } catch (e) {
          if (signal.aborted) break;
          const message = (e as Error).message;
          if (!this.live.machine.isRunning) await this.boot(Date.now(), `the VM stopped during the sync (${message})`, []);
          else this.emitCycle({ status: 'failed', checks: [{ name: 'sync', kind: 'sync', status: 'failed', message, durationMs: 0 }], changed: [], restarted: [], ms: 0 });
        }
        // Changes that came in while the cycle ran start the next one at once.
        if (this.pending.size && !this.timer) this.wake();
      }
    } finally {
      off();
      watcher.close();
      if (this.timer) clearTimeout(this.timer);
      if (this.live?.machine.isRunning) await this.live.machine.stop({ graceMs: 10_000 });
    }
    return { buildId: this.buildId };
  }
}

export function startDev(ctx: JobContext, dir: string): { jobId: string; done: Promise<JobOutcome> } {
  const spec = requireSpec(dir); // spec errors answer the request instead of failing a job
  return ctx.jobs.start('dev', `Live ${spec.name}`, (job) => new DevLoop(ctx, job, spec).run());
}
