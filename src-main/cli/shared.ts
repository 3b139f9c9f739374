import path from 'node:path';
import type { Engine } from '../api/engine';
import type { BuildDetail } from '../api/contract';
import type { JobOutcome } from '../api/jobs';
import { UsageError, type CliArgs } from './types';

/** The optional DIR positional shared by build/test/boot/validate: defaults to the current folder. */
export function appliancePositional(args: CliArgs): string {
  if (args.positionals.length > 1) throw new UsageError(`expected at most one appliance folder, got ${args.positionals.length}: ${args.positionals.join(' ')}`);
  return path.resolve(args.positionals[0] ?? '.');
}

/** The `build` object of --json output, shaped as documented in the README. */
export function buildJson(b: BuildDetail) {
  return {
    id: b.id,
    appliance: b.appliance,
    version: b.version,
    status: b.status,
    durationMs: b.durationMs,
    ...(b.error ? { error: b.error } : {}),
    artifacts: b.artifacts.map((a) => ({
      format: a.format,
      ...(a.disk ? { disk: a.disk } : {}),
      path: a.path,
      bytes: a.bytes,
      sha256: a.sha256,
    })),
  };
}

/**
 * Waits for a job; Ctrl-C (SIGINT) or SIGTERM cancels it and waits for its cleanup, so an
 * interrupted build leaves no partial artifact. A second Ctrl-C exits at once.
 */
export async function interruptible(engine: Engine, jobId: string, done: Promise<JobOutcome>): Promise<JobOutcome> {
  let count = 0;
  const onSignal = () => {
    count++;
    if (count === 1) {
      process.stderr.write('\ncancelling (cleaning up; press Ctrl-C again to exit at once)…\n');
      engine.jobs.cancel(jobId);
    } else process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
