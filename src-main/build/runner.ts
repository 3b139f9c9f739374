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
  onProgress?(stage: string, fraction: number, msg?: string): void;
  onLog?(level: LogLevel, text: string): void;
  onStage?(s: Omit<StageReport, 'status'> & { status: StageReport['status'] | 'running' }): void;
}

/** A step of a build: `run` does the work, `cleanup` undoes what it left behind (Packer's Run/Cleanup). */
export interface Stage<C> {
  name: string;
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
 * Runs stages in order. Whatever happens, the cleanups of every stage that started run in reverse
 * order; a failure surfaces as one BuildError naming the stage, a cancel as CancelledError.
 */
export async function runStages<C>(stages: Stage<C>[], ctx: C, hooks: StageHooks): Promise<StageReport[]> {
  const reports: StageReport[] = [];
  const started: Stage<C>[] = [];
  let failure: unknown;
  try {
    for (const stage of stages) {
      if (hooks.signal?.aborted) throw new CancelledError();
      started.push(stage);
      hooks.onStage?.({ name: stage.name, status: 'running', cacheHit: false, durationMs: 0 });
      hooks.onProgress?.(stage.name, 0);
      const t0 = performance.now();
      try {
        const outcome = await stage.run(ctx, (f, msg) => hooks.onProgress?.(stage.name, f, msg));
        if (hooks.signal?.aborted) throw new CancelledError();
        const hit = outcome === true;
        const r: StageReport = { name: stage.name, status: outcome === 'skipped' ? 'skipped' : 'ok', cacheHit: hit, durationMs: Math.round(performance.now() - t0) };
        reports.push(r);
        hooks.onStage?.(r);
        hooks.onProgress?.(stage.name, 1);
        hooks.onLog?.('debug', `${stage.name}: ${outcome === 'skipped' ? 'nothing to do' : hit ? 'cached' : 'built'} in ${r.durationMs} ms`);
      } catch (e) {
        const cancelled = e instanceof CancelledError || hooks.signal?.aborted;
        const r: StageReport = { name: stage.name, status: cancelled ? 'cancelled' : 'failed', cacheHit: false, durationMs: Math.round(performance.now() - t0) };
        reports.push(r);
        hooks.onStage?.(r);
        if (cancelled) throw new CancelledError();
        throw new BuildError(stage.name, describe(stage.name, e), e);
      }
    }
  } catch (e) {
    failure = e;
  }
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
  return reports;
}
