import { create } from 'zustand';
import { subscribe } from '../api/client';

export interface JobView {
  jobId: string;
  kind: string;
  title: string;
  /** What the job is doing now (its phase and message). */
  stage: string;
  /** 0..1 of the whole job, never backwards; null while it cannot be known. */
  fraction: number | null;
  message?: string;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  error?: string;
  buildId?: number;
  /** A build job that made no build: nothing changed since this one. */
  unchangedSince?: number;
  /** Client clock when it finished: the status bar shows the job that finished last. */
  finishedAt?: number;
}

interface JobsState {
  jobs: Record<string, JobView>;
  order: string[];
}

/** Jobs as the engine reports them; the status bar shows the newest one. */
export const useJobs = create<JobsState>(() => ({ jobs: {}, order: [] }));

function update(jobId: string, patch: Partial<JobView>): void {
  useJobs.setState((s) => {
    const prev = s.jobs[jobId];
    if (!prev) return s;
    return { ...s, jobs: { ...s.jobs, [jobId]: { ...prev, ...patch } } };
  });
}

export function startJobTracking(): void {
  subscribe('job.started', (p) =>
    useJobs.setState((s) => ({
      jobs: { ...s.jobs, [p.jobId]: { jobId: p.jobId, kind: p.kind, title: p.title, stage: 'starting', fraction: 0, status: 'running', buildId: p.buildId } },
      order: [...s.order.filter((id) => id !== p.jobId), p.jobId].slice(-20),
    })),
  );
  subscribe('job.progress', (p) => update(p.jobId, { stage: p.phase, fraction: p.fraction, message: p.message }));
  subscribe('job.build', (p) => update(p.jobId, { buildId: p.buildId }));
  subscribe('job.finished', (p) => update(p.jobId, { status: p.status, error: p.error, ...(p.buildId !== undefined ? { buildId: p.buildId } : {}), ...(p.unchangedSince !== undefined ? { unchangedSince: p.unchangedSince } : {}), ...(p.status === 'succeeded' ? { fraction: 1 } : {}), finishedAt: Date.now() }));
}
