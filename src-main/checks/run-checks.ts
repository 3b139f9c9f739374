// Runs an appliance's checks against a booted test VM. All checks start at once: guest
// commands queue on the one control channel, HTTP tries go straight through the forwards.
// Each check retries with backoff (0.1 s doubling, at most 0.5 s inside the guest and 0.25 s
// for HTTP, whose failed tries already cost their own timeout) until its own timeout and
// fails with what it saw last. A kernel panic or a VM that stops fails everything left at once.
import type { CheckResult, CheckState } from '../api/contract';
import type { Check } from '../spec/types';
import type { RunResult } from '../vm/control';
import { checkKind } from './kinds';
import type { ProbeOutcome } from './kinds/kind';

/** What runChecks needs of a VM; every VirtualMachine (vm/hypervisor.ts) provides it. */
export interface CheckTarget {
  execute(cmd: string, opts?: { timeoutMs?: number }): Promise<RunResult>;
  hostPort(guest: number): number | undefined;
  readonly isRunning: boolean;
  readonly exited: Promise<unknown>;
  readonly console: { tail(n?: number): string[]; onData(listener: (text: string) => void): () => void; readonly output: string };
}

export type { CheckState } from '../api/contract';

export interface RunChecksOptions {
  onCheck?(state: CheckState): void;
  /** The spec's services, so a service check can fall back to its program name. */
  services?: { name: string; run: string }[];
  signal?: AbortSignal;
  /** Labels results (e.g. "upgrade") for reports. */
  phase?: string;
}

export const FIRST_DELAY_MS = 100;
/** Short caps: a check that starts passing is noticed within this, which is most of `yoke test`. */
export const MAX_DELAY_MS = { guest: 500, http: 250 } as const;

/** The wait before try number `attempt + 1`. */
export function backoffDelay(attempt: number, kind: 'guest' | 'http' = 'guest'): number {
  return Math.min(MAX_DELAY_MS[kind], FIRST_DELAY_MS * 2 ** attempt);
}

const PANIC = /Kernel panic - not syncing[^\n]*/;
/** A guest command gets at least this long, even when its check has less time left. */
const MIN_COMMAND_MS = 1000;

class Stopped extends Error {}

async function attempt(target: CheckTarget, check: Check, leftMs: number, n: number, services: Map<string, string>): Promise<ProbeOutcome> {
  const timeoutMs = Math.max(MIN_COMMAND_MS, leftMs);
  const run = (cmd: string) => target.execute(cmd, { timeoutMs });
  return checkKind(check.kind)!.probe(check, { run, hostPort: (p) => target.hostPort(p), serviceRun: (s) => services.get(s), attempt: n });
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

export async function runChecks(target: CheckTarget, checks: Check[], opts: RunChecksOptions = {}): Promise<CheckResult[]> {
  const services = new Map((opts.services ?? []).map((s) => [s.name, s.run]));
  // One reason to stop everything; the first one seen wins.
  let stopReason: string | null = null;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wake = resolve));
  const stop = (why: string) => {
    if (stopReason) return;
    stopReason = why;
    wake();
  };
  const lastLines = () => target.console.tail(15).join('\n');
  const panicked = () => {
    const m = PANIC.exec(target.console.output);
    if (m) stop(`the guest kernel panicked (${m[0].trim()})`);
  };
  const unsubscribe = target.console.onData(panicked);
  panicked();
  void target.exited.then(() => stop('the VM stopped (qemu exited)'), () => undefined);
  if (!target.isRunning) stop('the VM is not running');
  const onAbort = () => stop('the run was cancelled');
  opts.signal?.addEventListener('abort', onAbort);
  if (opts.signal?.aborted) onAbort();

  const raceStop = async <T>(p: Promise<T>): Promise<T> => {
    const r = await Promise.race([p, stopped.then(() => Stopped)]);
    if (r === Stopped) throw new Stopped();
    return r as T;
  };

  const one = async (check: Check): Promise<CheckResult> => {
    const started = Date.now();
    const deadline = started + check.timeoutMs;
    const base = { name: check.name, kind: check.kind, ...(opts.phase ? { phase: opts.phase } : {}), ...(check.line ? { line: check.line } : {}) };
    opts.onCheck?.({ ...base, status: 'waiting', message: 'started', durationMs: 0 });
    const finish = (passed: boolean, message: string): CheckResult => {
      const result: CheckResult = { ...base, status: passed ? 'passed' : 'failed', message, durationMs: Date.now() - started };
      opts.onCheck?.(result);
      return result;
    };
    let last: ProbeOutcome | null = null;
    // The newest outcome the guest answered: a last try that timed out (a loaded host, little time
    // left before the deadline) must not hide what the check saw before it.
    let answered: ProbeOutcome | null = null;
    const seenText = (l: ProbeOutcome) => (answered && answered !== l ? `${answered.detail} (the last try got no answer: ${l.detail})` : l.detail);
    try {
      for (let n = 0; ; n++) {
        if (stopReason) throw new Stopped();
        try {
          last = await raceStop(attempt(target, check, deadline - Date.now(), n, services));
          answered = last;
        } catch (err) {
          if (err instanceof Stopped) throw err;
          last = { ok: false, detail: (err as Error).message };
        }
        if (last.ok) return finish(true, last.detail);
        if (last.final) return finish(false, last.detail);
        // What it saw, while it still waits: a face shows why a check is not green yet.
        opts.onCheck?.({ ...base, status: 'waiting', message: `try ${n + 1}: ${last.detail}`, durationMs: Date.now() - started });
        const delay = backoffDelay(n, checkKind(check.kind)!.retry);
        if (Date.now() + delay >= deadline) {
          // A service prints to the console: what it said last is usually why it will not stay up.
          const said = check.kind === 'service' ? `. Last console lines:\n${lastLines()}` : '';
          return finish(false, `not passed within ${seconds(check.timeoutMs)} (${n + 1} tries); last seen: ${seenText(last)}${said}`);
        }
        await raceStop(new Promise((r) => setTimeout(r, delay)));
      }
    } catch (err) {
      if (!(err instanceof Stopped)) throw err;
      const seen = last ? `; last seen: ${seenText(last)}` : '';
      return finish(false, `${stopReason}${seen}. Last console lines:\n${lastLines()}`);
    }
  };

  try {
    return await Promise.all(checks.map(one));
  } finally {
    unsubscribe();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
