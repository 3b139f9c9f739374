import { randomUUID } from 'node:crypto';
import type { EventName, EventPayload } from './contract';
import { Batcher } from '../util/batcher';
import { toYokeError } from './errors';

type Level = 'debug' | 'info' | 'warn' | 'error';
type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

export interface JobHandle {
  readonly id: string;
  readonly signal: AbortSignal;
  log(level: Level, text: string): void;
  progress(stage: string, fraction: number, message?: string): void;
  /** Tell listeners which build this job belongs to as soon as it is known. */
  setBuildId(id: number): void;
}

export interface JobOutcome {
  status: 'succeeded' | 'failed' | 'cancelled';
  error?: string;
  buildId?: number;
}

/**
 * Long work (a build, a boot, a test) runs as a cancellable job that emits typed progress and
 * log events; every face (window, CLI, log file) consumes the same stream.
 */
export class Jobs {
  private running = new Map<string, { controller: AbortController; done: Promise<JobOutcome> }>();
  // Recently finished jobs, so a face that asks after the end still gets the outcome.
  private settled = new Map<string, JobOutcome>();

  constructor(private readonly emit: Emit) {}

  start(kind: string, title: string, work: (job: JobHandle) => Promise<{ buildId?: number; failed?: string } | void>, meta: { buildId?: number } = {}): { jobId: string; done: Promise<JobOutcome> } {
    const jobId = randomUUID();
    const controller = new AbortController();
    let buildId: number | undefined = meta.buildId;
    const logs = new Batcher<{ t: number; level: Level; text: string }>((lines) => this.emit('job.log', { jobId, lines }));
    const handle: JobHandle = {
      id: jobId,
      signal: controller.signal,
      log: (level, text) => logs.push({ t: Date.now(), level, text }),
      progress: (stage, fraction, message) =>
        this.emit('job.progress', { jobId, stage, fraction: Math.max(0, Math.min(1, fraction)), message }),
      setBuildId: (id) => {
        buildId = id;
      },
    };
    this.emit('job.started', { jobId, kind, title, ...(buildId !== undefined ? { buildId } : {}) });
    const done = (async (): Promise<JobOutcome> => {
      let outcome: JobOutcome;
      try {
        const r = (await work(handle)) ?? {};
        buildId = r.buildId ?? buildId;
        outcome = r.failed ? { status: 'failed', error: r.failed, buildId } : { status: 'succeeded', buildId };
      } catch (e) {
        outcome = controller.signal.aborted
          ? { status: 'cancelled', error: 'cancelled', buildId }
          : { status: 'failed', error: toYokeError(e).message, buildId };
      }
      logs.flush();
      this.running.delete(jobId);
      this.settled.set(jobId, outcome);
      if (this.settled.size > 200) this.settled.delete(this.settled.keys().next().value as string);
      this.emit('job.finished', { jobId, ...outcome });
      return outcome;
    })();
    this.running.set(jobId, { controller, done });
    return { jobId, done };
  }

  /** Resolves with the job's outcome (at once if it already finished). */
  wait(jobId: string): Promise<JobOutcome> {
    const running = this.running.get(jobId);
    if (running) return running.done;
    const settled = this.settled.get(jobId);
    return settled ? Promise.resolve(settled) : Promise.reject(new Error(`no job ${jobId}`));
  }

  get active(): number {
    return this.running.size;
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job) return false;
    job.controller.abort();
    return true;
  }

  async cancelAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const j of all) j.controller.abort();
    await Promise.allSettled(all.map((j) => j.done));
  }
}
