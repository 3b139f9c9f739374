import { randomUUID } from 'node:crypto';
import type { EventPayload, JobKind, StageEvent } from '../api/contract';
import { Batcher } from '../util/batcher';
import { toYokeError } from '../api/errors';
import type { Emit } from './events';

type Level = 'debug' | 'info' | 'warn' | 'error';

export interface JobHandle {
  readonly id: string;
  readonly kind: JobKind;
  readonly signal: AbortSignal;
  log(level: Level, text: string): void;
  /**
   * The job's one progress figure, 0..1 of the whole job, or null while it cannot be known (a
   * download of unknown size). It never goes backwards: a lower figure is shown as the last one.
   */
  progress(phase: string, fraction: number | null, message?: string): void;
  /** A build stage started or finished (typed, so no face reads it out of log lines). */
  stage(s: Omit<StageEvent, 'jobId' | 'buildId'>): void;
  /** Tell listeners which build this job belongs to as soon as it is known. */
  setBuildId(id: number): void;
  readonly buildId: number | undefined;
}

/** What a job's work returns: the facts its faces look up afterwards. */
export interface JobResult {
  buildId?: number;
  /** Test or upgrade runs the job recorded, in order. */
  runIds?: number[];
  /** The hardware variant each of runIds booted on (test --hardware), in the same order. */
  hardware?: string[];
  /** A VM the job left running (test --keep-running). */
  vmId?: string;
  /** Set when the work finished but its verdict is a failure (checks failed). */
  failed?: string;
  /** A build job that made no build: nothing changed since this one (also its buildId). */
  unchangedSince?: number;
}

export type JobOutcome = Omit<EventPayload<'job.finished'>, 'jobId'>;

/**
 * Long work (a build, a boot, a test) runs as a cancellable job that emits typed progress, stage
 * and log events; every face (window, CLI, log file) consumes the same stream.
 */
export class Jobs {
  private running = new Map<string, { controller: AbortController; done: Promise<JobOutcome> }>();
  // Recently finished jobs, so a face that asks after the end still gets the outcome.
  private settled = new Map<string, JobOutcome>();

  constructor(private readonly emit: Emit) {}

  start(kind: JobKind, title: string, work: (job: JobHandle) => Promise<JobResult | void>, meta: { buildId?: number } = {}): { jobId: string; done: Promise<JobOutcome> } {
    const jobId = randomUUID();
    const controller = new AbortController();
    let buildId: number | undefined = meta.buildId;
    let shown = 0;
    const logs = new Batcher<{ t: number; level: Level; text: string }>((lines) => this.emit('job.log', { jobId, lines }));
    const handle: JobHandle = {
      id: jobId,
      kind,
      signal: controller.signal,
      log: (level, text) => logs.push({ t: Date.now(), level, text }),
      progress: (phase, fraction, message) => {
        if (fraction !== null) shown = Math.max(shown, Math.max(0, Math.min(1, fraction)));
        this.emit('job.progress', { jobId, phase, fraction: fraction === null ? null : shown, ...(message !== undefined ? { message } : {}) });
      },
      stage: (s) => this.emit('job.stage', { jobId, ...(buildId !== undefined ? { buildId } : {}), ...s }),
      setBuildId: (id) => {
        if (buildId === id) return;
        buildId = id;
        this.emit('job.build', { jobId, buildId: id });
      },
      get buildId() {
        return buildId;
      },
    };
    this.emit('job.started', { jobId, kind, title, ...(buildId !== undefined ? { buildId } : {}) });
    const done = (async (): Promise<JobOutcome> => {
      let outcome: JobOutcome;
      try {
        // The work starts on the next turn of the event loop, so the face that started the job
        // has its answer (the job id) before the job's first progress, stage or check event.
        await new Promise<void>((resolve) => setImmediate(resolve));
        const r = (await work(handle)) ?? {};
        buildId = r.buildId ?? buildId;
        const facts = { ...(buildId !== undefined ? { buildId } : {}), ...(r.runIds?.length ? { runIds: r.runIds } : {}), ...(r.hardware?.length ? { hardware: r.hardware } : {}), ...(r.vmId ? { vmId: r.vmId } : {}), ...(r.unchangedSince !== undefined ? { unchangedSince: r.unchangedSince } : {}) };
        outcome = r.failed ? { status: 'failed', error: r.failed, ...facts } : { status: 'succeeded', ...facts };
      } catch (e) {
        const facts = buildId !== undefined ? { buildId } : {};
        outcome = controller.signal.aborted ? { status: 'cancelled', ...facts } : { status: 'failed', error: toYokeError(e).message, ...facts };
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
