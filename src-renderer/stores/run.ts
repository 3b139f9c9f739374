import { create } from 'zustand';
import type { BuildDetail, EventPayload } from '../../src-main/api/contract';
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

export interface CheckView {
  name: string;
  kind: string;
  state: 'waiting' | 'passed' | 'failed';
  elapsedMs: number;
  message?: string;
  phase?: string;
  /** While waiting: what the latest failed try saw. */
  lastSeen?: string;
  /** The check's line in appliance.yaml. */
  line?: number;
  /** Client clock of the last event, so a waiting check's timer keeps ticking between events. */
  seenAt: number;
}

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
  stage: string;
  stageFraction: number;
  stages: StageView[];
  expectedStages: number;
  checks: CheckView[];
  buildId: number | null;
  detail: BuildDetail | null;
  /** The live log: a mutable buffer held by reference; logVersion changes when it grows. */
  log: LogBuffer;
  logVersion: number;
  start(kind: 'build' | 'test', dir: string, appliance: string): Promise<void>;
  cancel(): Promise<void>;
}

const NOTIFY_AFTER_MS = 10_000;
const STAGE_LINE = /^stage (\S+): (\w+)( \(cached\))? in (\d+) ms$/;

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
  stageFraction: 0,
  stages: [],
  expectedStages: 0,
  checks: [],
  buildId: null,
  detail: null,
  log: new LogBuffer(),
  logVersion: 0,

  async start(kind, dir, appliance) {
    askNotificationPermission();
    const log = get().log;
    log.clear();
    set({
      kind,
      dir,
      jobId: null,
      title: `${kind === 'build' ? 'Build' : 'Test'} ${appliance}`,
      status: 'starting',
      error: null,
      startedAt: Date.now(),
      finishedAt: null,
      stage: '',
      stageFraction: 0,
      stages: [],
      checks: [],
      buildId: null,
      detail: null,
      logVersion: get().logVersion + 1,
    });
    void expectStages(appliance);
    const r = kind === 'build' ? await invoke('build.start', { dir }) : await invoke('test.start', { dir });
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

/** The stage count of the appliance's last build, so the progress bar has a denominator. */
async function expectStages(appliance: string): Promise<void> {
  const list = await invoke('builds.list', { appliance, limit: 5 });
  const last = list.ok ? list.value.find((b) => b.status === 'succeeded') : undefined;
  if (!last) return;
  const detail = await invoke('builds.get', { id: last.id });
  if (detail.ok) useRun.setState({ expectedStages: detail.value.stages.length });
}

function mine(jobId: string): boolean {
  return useRun.getState().jobId === jobId;
}

function onStarted(p: EventPayload<'job.started'>): void {
  const s = useRun.getState();
  if (s.status === 'starting' && s.jobId === null) useRun.setState({ jobId: p.jobId, status: 'running', title: p.title || s.title });
}

function onProgress(p: EventPayload<'job.progress'>): void {
  if (!mine(p.jobId)) return;
  const s = useRun.getState();
  // A test that builds first forwards the build's stages as "build: NAME".
  const name = p.stage.replace(/^build: /, '');
  const stages = s.stages.slice();
  const known = stages.findIndex((x) => x.name === name);
  if (known === -1) stages.push({ name, status: 'running', cached: false, durationMs: 0, startedAt: Date.now() });
  else if (p.fraction >= 1 && stages[known].status === 'running') {
    stages[known] = { ...stages[known], status: 'succeeded', durationMs: Date.now() - stages[known].startedAt };
  }
  useRun.setState({ stage: name, stageFraction: p.fraction, stages });
}

function onLog(p: EventPayload<'job.log'>): void {
  if (!mine(p.jobId)) return;
  const s = useRun.getState();
  s.log.append(p.lines);
  // The engine logs each finished stage with its duration and cache hit; use it before builds.get.
  let stages: StageView[] | null = null;
  for (const line of p.lines) {
    const m = STAGE_LINE.exec(line.text);
    if (!m) continue;
    stages ??= s.stages.slice();
    const i = stages.findIndex((x) => x.name === m[1]);
    const next = { name: m[1], status: m[2], cached: Boolean(m[3]), durationMs: Number(m[4]), startedAt: i === -1 ? Date.now() : stages[i].startedAt };
    if (i === -1) stages.push(next);
    else stages[i] = next;
  }
  useRun.setState(stages ? { logVersion: s.logVersion + 1, stages } : { logVersion: s.logVersion + 1 });
}

function onCheck(p: EventPayload<'test.check'>): void {
  if (!mine(p.jobId)) return;
  const checks = useRun.getState().checks.slice();
  const i = checks.findIndex((c) => c.name === p.name && c.phase === p.phase);
  const view: CheckView = {
    name: p.name, kind: p.kind, state: p.state, elapsedMs: p.elapsedMs, message: p.message, phase: p.phase, seenAt: Date.now(),
    lastSeen: p.lastSeen ?? (p.state === 'waiting' && i !== -1 ? checks[i].lastSeen : undefined), line: p.line ?? (i !== -1 ? checks[i].line : undefined),
  };
  if (i === -1) checks.push(view);
  else checks[i] = view;
  useRun.setState({ checks });
}

async function onFinished(p: EventPayload<'job.finished'>): Promise<void> {
  if (!mine(p.jobId)) return;
  const s = useRun.getState();
  const finishedAt = Date.now();
  useRun.setState({ status: p.status, error: p.error ?? null, finishedAt, buildId: p.buildId ?? null, stageFraction: 1 });
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
  if (detail.checks.length > 0) {
    const lines = new Map(useRun.getState().checks.map((c) => [c.name, c.line]));
    patch.checks = detail.checks
      .filter((c) => c.runKind === 'test')
      .map((c) => ({ name: c.name, kind: c.kind, state: c.status, elapsedMs: c.durationMs, message: c.message, phase: c.phase, seenAt: finishedAt, line: lines.get(c.name) }));
  }
  useRun.setState(patch);
}

export function startRunTracking(): void {
  subscribe('job.started', onStarted);
  subscribe('job.progress', onProgress);
  subscribe('job.log', onLog);
  subscribe('test.check', onCheck);
  subscribe('job.finished', (p) => void onFinished(p));
}
