// Follows one engine job from the command line through the contract's events, the way the window
// does: progress on stderr, Ctrl-C cancels (cleanup runs; a second Ctrl-C exits at once).
import type { EventName, EventPayload } from '../api/contract';
import type { Engine } from '../api/engine';
import type { CliContext } from './types';
import { followJob } from './progress';

export type JobFinished = EventPayload<'job.finished'>;

/**
 * Subscribes before the job exists (its first events may come before its id does), starts it,
 * replays what it already said, and resolves with its job.finished event.
 */
export async function runJob(engine: Engine, ctx: CliContext, start: () => Promise<{ jobId: string }>, opts: { verbose?: boolean } = {}): Promise<JobFinished> {
  const early: [EventName, unknown][] = [];
  let jobId: string | null = null;
  let resolveFinished!: (p: JobFinished) => void;
  const finished = new Promise<JobFinished>((r) => (resolveFinished = r));
  const show = followJob(ctx, opts);
  const handle = (event: EventName, payload: unknown) => {
    if ((payload as { jobId?: string }).jobId !== jobId) return;
    show(event, payload);
    if (event === 'job.finished') resolveFinished(payload as JobFinished);
  };
  const off = engine.on((event, payload) => (jobId === null ? early.push([event, payload]) : handle(event, payload)));
  let presses = 0;
  const onSignal = () => {
    presses++;
    if (presses > 1) process.exit(130);
    process.stderr.write('\ncancelling (cleaning up; press Ctrl-C again to exit at once)…\n');
    if (jobId) void engine.call('job.cancel', { jobId });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    jobId = (await start()).jobId;
    for (const [event, payload] of early.splice(0)) handle(event, payload);
    if (presses > 0) void engine.call('job.cancel', { jobId });
    return await finished;
  } finally {
    off();
    show('job.finished', {});
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
