// service: a service of the spec runs, and its supervisor recorded no exit while the probe watched it.
import { didYouMean, quoteList } from '../../spec/describe';
import { text } from '../../spec/zod-rules';
import { shQuote } from '../../vm/control-frame';
import { defineKind, textField } from './kind';

/** The program a service's `run` line starts (for when no pid file exists). */
export function programOf(run: string): string | null {
  const first = run.trim().split(/\s+/).find((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w) && w !== 'exec');
  if (!first) return null;
  const base = first.split('/').pop() ?? '';
  return /^[\w.+-]+$/.test(base) ? base : null;
}

/**
 * How long the probe watches a service (seconds). It passes only if the same pid is alive at the
 * start and at the end of this window and the supervisor recorded no exit in between: the
 * supervisor's record (NAME.exits, written by the generated init after every exit) decides, so a
 * crash-looping service cannot pass by being caught alive between two restarts. Half a second:
 * a service that cannot start at all (a missing binary) exits within milliseconds, which the
 * record shows, and the live loop (yoke dev) stays under a second from edit to green.
 */
export const SETTLE_SECONDS = 0.5;
/**
 * A service whose supervisor has recorded an exit (it crashed at least once since boot) must stay
 * up longer to count: a crash loop whose runs last longer than half a second cannot pass by luck.
 * (A restart yoke dev asked for is not an exit: the supervisor resets the record.)
 */
export const SETTLE_AFTER_EXIT_SECONDS = 2;

export function serviceCommand(name: string, run?: string): string {
  const prog = run ? programOf(run) : null;
  const dir = shQuote(`/run/yoke/services/${name}.pid`);
  const exits = shQuote(`/run/yoke/services/${name}.exits`);
  const legacy = shQuote(`/run/yoke/${name}.pid`);
  const fallback = prog
    ? `p=$(pidof ${prog}) && { echo "no pid file; ${prog} runs as pid $p"; exit 0; }; echo "no pid file for ${name} and no ${prog} process"; exit 1`
    : `echo "no pid file for ${name} in /run/yoke/services"; exit 1`;
  // Shell builtins only inside the window (every fork is slow under TCG), except the one sleep.
  return (
    `f=${dir}; x=${exits}; [ -s "$f" ] || { f=${legacy}; x=; }; ` +
    `if [ -s "$f" ]; then ` +
    `alive() { st=; [ -r /proc/$1/status ] && while read k v; do [ "$k" = State: ] && st=$v; done </proc/$1/status; case "$st" in ""|Z*) return 1;; esac; }; ` +
    `rec() { e=0; r=-; [ -n "$x" ] && [ -s "$x" ] && read e r <"$x"; }; ` +
    `said() { [ "$1" = 0 ] || echo "; exits so far: $1, the last with status $2"; }; ` +
    `read p <"$f"; rec; e1=$e; w=${SETTLE_SECONDS}; [ "$e1" = 0 ] || w=${SETTLE_AFTER_EXIT_SECONDS}; ` +
    `alive $p || { echo "pid $p (from $f) is not running\${st:+ ($st)}$(said $e $r)"; exit 1; }; ` +
    `sleep $w; ` +
    `read p2 <"$f"; rec; ` +
    `[ "$p2" = "$p" ] && [ "$e" = "$e1" ] && alive $p || { echo "pid $p exited within $w s (restarting?)$(said $e $r)"; exit 1; }; ` +
    `echo "runs as pid $p ($st), up for $w s with no exit$(said $e $r)"; exit 0; fi; ${fallback}`
  );
}

export type ServiceCheck = { kind: 'service'; service: string };

export function readService(check: ServiceCheck, r: { stdout: string; stderr: string; exitCode: number }) {
  const said = r.stdout.trim() || r.stderr.trim() || `exit code ${r.exitCode}`;
  return { ok: r.exitCode === 0, detail: `service ${check.service} ${r.exitCode === 0 ? said : `is not running: ${said}`}` };
}

export const service = defineKind({
  kind: 'service',
  schema: text('a service name from services').meta({ title: 'Service is running' }),
  normalize: (raw: string) => ({ name: `service ${raw}`, check: { kind: 'service', service: raw } as ServiceCheck }),
  probe: async (check, t) => readService(check, await t.run(serviceCommand(check.service, t.serviceRun(check.service)))),
  inGuest: (check, facts) => serviceCommand(check.service, facts.serviceRun(check.service)),
  retry: 'guest',
  label: 'A service is running',
  fields: [{ name: 'service', label: 'Service name', type: 'text', required: true }],
  example: { service: 'web' },
  wizardValue: (f) => textField(f, 'service') ?? '',
  crossCheck(value, { serviceNames }) {
    if (typeof value !== 'string' || serviceNames.includes(value)) return [];
    const near = didYouMean(value, serviceNames);
    const hint = near ? ` (did you mean '${near}'?)` : serviceNames.length ? ` (services: ${quoteList(serviceNames)})` : ' (there are no services)';
    return [{ path: [], message: `check names service '${value}', but no service has that name${hint}` }];
  },
});
