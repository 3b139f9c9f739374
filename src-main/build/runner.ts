import { CancelledError } from '../tools/run';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface StageReport {
  name: string;
  status: 'ok' | 'failed' | 'cancelled' | 'skipped';
  cacheHit: boolean;
  durationMs: number;
}

export interface StageHooks {
  signal?: AbortSignal;
  /** `fraction` is of the whole run (every stage weighs the same), so it only grows. */
  onProgress?(stage: string, fraction: number, msg?: string): void;
  onLog?(level: LogLevel, text: string): void;
  onStage?(s: Omit<StageReport, 'status'> & { status: StageReport['status'] | 'running' }): void;
}

/** A step of a build: `run` does the work, `cleanup` undoes what it left behind (Packer's Run/Cleanup). */
export interface Stage<C> {
  name: string;
  /**
   * Stages whose output this one needs. Unset: the stage before it in the list. Stages with
   * nothing between them run at the same time (a data disk needs nothing of the OS disk).
   */
  after?: string[];
  /** Returns true when the stage's output came from the cache, 'skipped' when it had nothing to do. */
  run(ctx: C, progress: (fraction: number, msg?: string) => void): Promise<boolean | 'skipped' | void>;
  cleanup?(ctx: C, failed: boolean): void | Promise<void>;
}

/** A build failure tied to the stage it happened in. */
export class BuildError extends Error {
  constructor(readonly stage: string, message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'BuildError';
  }
}

function describe(stage: string, e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOSPC') return `Ran out of disk space during "${stage}" (${err.path ?? 'writing an image'}). Free some space and build again.`;
  if (err?.code === 'EACCES' && err.path) return `Permission denied on ${err.path} during "${stage}".`;
  return err?.message ?? String(e);
}

/**
 * Runs stages as soon as the stages they need are done. Whatever happens, every started stage
 * settles before the cleanups of all of them run in reverse start order; a failure surfaces as
 * one BuildError naming the first stage that failed (the others are stopped through `stop`, and
 * report 'cancelled'), a cancel as CancelledError.
 */
export async function runStages<C>(stages: Stage<C>[], ctx: C, hooks: StageHooks & { stop?: AbortController }): Promise<StageReport[]> {
  const byName = new Map(stages.map((s) => [s.name, s]));
  const deps = new Map(stages.map((s, i) => [s.name, s.after ?? (i > 0 ? [stages[i - 1].name] : [])]));
  for (const [name, ds] of deps) {
    for (const d of ds) if (!byName.has(d)) throw new Error(`stage ${name} waits for an unknown stage ${d}`);
  }
  const reports = new Map<string, StageReport>();
  const started: Stage<C>[] = [];
  const running = new Map<string, Promise<void>>();
  let failure: unknown;
  const stopped = () => failure !== undefined || hooks.signal?.aborted;
  const done = new Map<string, number>();
  const report = (name: string, f: number, msg?: string) => {
    done.set(name, Math.max(done.get(name) ?? 0, Math.min(1, f)));
    let sum = 0;
    for (const v of done.values()) sum += v;
    hooks.onProgress?.(name, sum / stages.length, msg);
  };

  const runOne = async (stage: Stage<C>): Promise<void> => {
    started.push(stage);
    hooks.onStage?.({ name: stage.name, status: 'running', cacheHit: false, durationMs: 0 });
    report(stage.name, 0);
    const t0 = performance.now();
    try {
      const outcome = await stage.run(ctx, (f, msg) => report(stage.name, f, msg));
      if (hooks.signal?.aborted) throw new CancelledError();
      const hit = outcome === true;
      const r: StageReport = { name: stage.name, status: outcome === 'skipped' ? 'skipped' : 'ok', cacheHit: hit, durationMs: Math.round(performance.now() - t0) };
      reports.set(stage.name, r);
      hooks.onStage?.(r);
      report(stage.name, 1);
      hooks.onLog?.('debug', `${stage.name}: ${outcome === 'skipped' ? 'nothing to do' : hit ? 'cached' : 'built'} in ${r.durationMs} ms`);
    } catch (e) {
      const cancelled = e instanceof CancelledError || hooks.signal?.aborted || (failure !== undefined && hooks.stop?.signal.aborted);
      const r: StageReport = { name: stage.name, status: cancelled ? 'cancelled' : 'failed', cacheHit: false, durationMs: Math.round(performance.now() - t0) };
      reports.set(stage.name, r);
      hooks.onStage?.(r);
      if (cancelled) {
        failure ??= new CancelledError();
      } else if (failure === undefined || failure instanceof CancelledError) {
        failure = new BuildError(stage.name, describe(stage.name, e), e);
      }
      hooks.stop?.abort();
    }
  };

  // Start every stage whose needs are met; repeat as stages finish, until none is left or one failed.
  const waiting = new Set(stages.map((s) => s.name));
  for (;;) {
    if (hooks.signal?.aborted && failure === undefined) failure = new CancelledError();
    if (!stopped()) {
      for (const name of [...waiting]) {
        if (deps.get(name)!.every((d) => reports.get(d)?.status === 'ok' || reports.get(d)?.status === 'skipped')) {
          waiting.delete(name);
          const p = runOne(byName.get(name)!).finally(() => running.delete(name));
          running.set(name, p);
        }
      }
    }
    if (running.size === 0) break;
    await Promise.race(running.values());
  }
  if (failure === undefined && waiting.size) failure = new Error(`stages ${[...waiting].join(', ')} never became ready`);
  for (const stage of [...started].reverse()) {
    try {
      await stage.cleanup?.(ctx, failure !== undefined);
    } catch (e) {
      hooks.onLog?.('warn', `cleanup of ${stage.name} failed: ${(e as Error).message}`);
    }
  }
  if (failure !== undefined) {
    hooks.onLog?.('error', (failure as Error).message);
    throw failure;
  }
  // In the order the stages are listed, whatever order they finished in.
  return stages.map((s) => reports.get(s.name)!);
}
