import { create } from 'zustand';
import type { BuildDetail, CheckState, EventPayload } from '../../src-main/api/contract';
import { invoke, subscribe } from '../api/client';
import { LogBuffer } from '../lib/log-buffer';
import { askNotificationPermission, notify } from '../lib/notify';

export interface StageView {
  name: string;
  status: string;
  cached: boolean;
  durationMs: number;
  /** Client clock when it started, for the live duration of a running stage. */
  startedAt: number;
}

/** A check as the engine reports it (the contract's CheckState), plus when this page last heard of it. */
export type CheckView = Omit<CheckState, 'message'> & {
  message?: string;
  /** Client clock of the last event, so a waiting check's timer keeps ticking between events. */
  seenAt: number;
};

export type RunStatus = 'idle' | 'starting' | 'running' | 'succeeded' | 'failed' | 'cancelled';

interface RunState {
  kind: 'build' | 'test' | null;
  dir: string | null;
  jobId: string | null;
  title: string;
  status: RunStatus;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
  /** What the job says it is doing now. */
  stage: string;
  /** The job's one progress figure (0..1, never backwards), null while it cannot be known. */
  fraction: number | null;
  stages: StageView[];
  checks: CheckView[];
  buildId: number | null;
  /** A Build that made no build: nothing changed since this one, which it reused. */
  unchangedSince: number | null;
  detail: BuildDetail | null;
  /** The live log: a mutable buffer held by reference; logVersion changes when it grows. */
  log: LogBuffer;
  logVersion: number;
  /**
   * `hardware`: a test boots the exported disks on that hardware profile (test.start hardware).
   * A build reuses the newest build when nothing changed since; `rebuild` makes one anyway.
   */
  start(kind: 'build' | 'test', dir: string, appliance: string, hardware?: string, opts?: { rebuild?: boolean }): Promise<void>;
  cancel(): Promise<void>;
}

const NOTIFY_AFTER_MS = 10_000;

/** The build or test the user started from the Build view, as its events arrive. */
export const useRun = create<RunState>((set, get) => ({
  kind: null,
  dir: null,
  jobId: null,
  title: '',
  status: 'idle',
  error: null,
  startedAt: 0,
  finishedAt: null,
  stage: '',
  fraction: 0,
  stages: [],
  checks: [],
  buildId: null,
  unchangedSince: null,
  detail: null,
  log: new LogBuffer(),
  logVersion: 0,

  async start(kind, dir, appliance, hardware, opts = {}) {
    askNotificationPermission();
    const log = get().log;
    log.clear();
    set({
      kind,
      dir,
      jobId: null,
      title: `${kind === 'build' ? 'Build' : 'Test'} ${appliance}${kind === 'test' && hardware ? ` on ${hardware}` : ''}`,
      status: 'starting',
      error: null,
      startedAt: Date.now(),
      finishedAt: null,
      stage: '',
      fraction: 0,
      stages: [],
      checks: [],
      buildId: null,
      unchangedSince: null,
      detail: null,
      logVersion: get().logVersion + 1,
    });
    const r = kind === 'build' ? await invoke('build.start', { dir, ...(opts.rebuild ? {} : { reuse: true }) }) : await invoke('test.start', { dir, ...(hardware ? { hardware } : {}) });
    if (!r.ok) {
      set({ status: 'failed', error: r.error.message, finishedAt: Date.now() });
      return;
    }
    // job.started usually arrives before this answer and was adopted already.
    if (get().jobId !== r.value.jobId) set({ jobId: r.value.jobId, status: get().status === 'starting' ? 'running' : get().status });
  },

  async cancel() {
    const { jobId } = get();
    if (!jobId) return;
    const r = await invoke('job.cancel', { jobId });
    if (!r.ok) set({ error: r.error.message });
  },
}));

function mine(jobId: string): boolean {
  return useRun.getState().jobId === jobId;
}

function onStarted(p: EventPayload<'job.started'>): void {
  const s = useRun.getState();
  if (s.status === 'starting' && s.jobId === null) useRun.setState({ jobId: p.jobId, status: 'running', title: p.title || s.title });
}

function onProgress(p: EventPayload<'job.progress'>): void {
  if (!mine(p.jobId)) return;
  useRun.setState({ stage: p.message ? `${p.phase}: ${p.message}` : p.phase, fraction: p.fraction });
}

/** Stages as the engine reports them (typed events; a test that builds first sends its build's). */
function onStage(p: EventPayload<'job.stage'>): void {
  if (!mine(p.jobId)) return;
  const stages = useRun.getState().stages.slice();
  const i = stages.findIndex((x) => x.name === p.name);
  const next: StageView = { name: p.name, status: p.status, cached: p.cacheHit, durationMs: p.durationMs, startedAt: i === -1 ? Date.now() : stages[i].startedAt };
  if (i === -1) stages.push(next);
  else stages[i] = next;
  useRun.setState({ stages });
}

function onBuild(p: EventPayload<'job.build'>): void {
  if (mine(p.jobId)) useRun.setState({ buildId: p.buildId });
}

function onLog(p: EventPayload<'job.log'>): void {
  if (!mine(p.jobId)) return;
  const s = useRun.getState();
  s.log.append(p.lines);
  useRun.setState({ logVersion: s.logVersion + 1 });
}

function onCheck(p: EventPayload<'test.check'>): void {
  if (!mine(p.jobId)) return;
  const checks = useRun.getState().checks.slice();
  const { jobId: _job, runId: _run, ...check } = p;
  const view: CheckView = { ...check, seenAt: Date.now() };
  const i = checks.findIndex((c) => c.name === p.name && c.phase === p.phase);
  if (i === -1) checks.push(view);
  else checks[i] = view;
  useRun.setState({ checks });
}

async function onFinished(p: EventPayload<'job.finished'>): Promise<void> {
  if (!mine(p.jobId)) return;
  const s = useRun.getState();
  const finishedAt = Date.now();
  useRun.setState({
    status: p.status,
    error: p.error ?? null,
    finishedAt,
    buildId: p.buildId ?? s.buildId,
    unchangedSince: p.unchangedSince ?? null,
    fraction: p.status === 'succeeded' ? 1 : s.fraction,
  });
  if (finishedAt - s.startedAt > NOTIFY_AFTER_MS) {
    notify(`${s.title}: ${p.status}`, p.error ?? `Finished in ${Math.round((finishedAt - s.startedAt) / 1000)} s`);
  }
  if (p.buildId === undefined) return;
  const r = await invoke('builds.get', { id: p.buildId });
  if (!r.ok || !mine(p.jobId)) return;
  const detail = r.value;
  const patch: Partial<RunState> = { detail };
  if (detail.stages.length > 0) {
    patch.stages = detail.stages.map((x) => ({ name: x.name, status: x.status, cached: x.cacheHit, durationMs: x.durationMs, startedAt: 0 }));
  }
  // A build's own run has no checks; a reused build's stored ones belong to an earlier test.
  if (detail.checks.length > 0 && s.kind === 'test') {
    patch.checks = detail.checks.map((c) => ({ ...c, seenAt: finishedAt }));
  }
  useRun.setState(patch);
}

export function startRunTracking(): void {
  subscribe('job.started', onStarted);
  subscribe('job.progress', onProgress);
  subscribe('job.stage', onStage);
  subscribe('job.build', onBuild);
  subscribe('job.log', onLog);
  subscribe('test.check', onCheck);
  subscribe('job.finished', (p) => void onFinished(p));
}
