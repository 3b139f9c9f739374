import { invoke } from '../api/client';
import { recall, remember } from '../lib/remember';
import { useAppliance } from './appliance';
import { useRun, type RunStatus } from './run';

interface LastRun {
  kind: 'build' | 'test';
  dir: string;
  title: string;
  status: RunStatus;
  error: string | null;
  startedAt: number;
  finishedAt: number | null;
  buildId: number | null;
}

const DONE: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** Remembers the last finished run, so the Build view after a reload still shows how it went. */
export function startRunMemory(): void {
  useRun.subscribe((s, prev) => {
    if (!s.kind || !s.dir || !DONE.has(s.status)) return;
    if (s.status === prev.status && s.buildId === prev.buildId) return;
    const last: LastRun = { kind: s.kind, dir: s.dir, title: s.title, status: s.status, error: s.error, startedAt: s.startedAt, finishedAt: s.finishedAt, buildId: s.buildId };
    remember('lastRun', last);
  });
}

/** After a reload: the open appliance first, then its last run with the stored build's stages, checks and log. */
export async function restoreContext(): Promise<void> {
  await useAppliance.getState().restore();
  const last = recall<LastRun | null>('lastRun', null);
  if (!last || useRun.getState().status !== 'idle') return;
  useRun.setState({ ...last, jobId: null, stage: '', fraction: last.status === 'succeeded' ? 1 : null });
  if (last.buildId === null) return;
  const [detail, log] = await Promise.all([invoke('builds.get', { id: last.buildId }), invoke('builds.log', { id: last.buildId, tail: 20_000 })]);
  // The person may have started something new meanwhile: then this is stale.
  if (useRun.getState().jobId !== null || useRun.getState().dir !== last.dir) return;
  if (detail.ok) {
    const d = detail.value;
    useRun.setState({
      detail: d,
      stages: d.stages.map((x) => ({ name: x.name, status: x.status, cached: x.cacheHit, durationMs: x.durationMs, startedAt: 0 })),
      checks: d.checks.map((c) => ({ ...c, seenAt: 0 })),
    });
  }
  if (log.ok) {
    const s = useRun.getState();
    s.log.clear();
    s.log.append(log.value.lines);
    useRun.setState({ logVersion: s.logVersion + 1 });
  }
}
