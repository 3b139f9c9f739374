// service: a service of the spec runs, and has stayed up long enough not to be crash-looping.
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

/** How long (in USER_HZ ticks, 100 per second on every Linux Yoke boots) a service's process must have been up to count as running. */
export const STABLE_TICKS = 50;

// Shell builtins where possible: every fork is slow under TCG.
export function serviceCommand(name: string, run?: string): string {
  const prog = run ? programOf(run) : null;
  const dir = shQuote(`/run/yoke/services/${name}.pid`);
  const legacy = shQuote(`/run/yoke/${name}.pid`);
  const fallback = prog
    ? `p=$(pidof ${prog}) && { echo "no pid file; ${prog} runs as pid $p"; exit 0; }; echo "no pid file for ${name} and no ${prog} process"; exit 1`
    : `echo "no pid file for ${name} in /run/yoke/services"; exit 1`;
  return (
    `f=${dir}; [ -s "$f" ] || f=${legacy}; ` +
    `if [ -s "$f" ]; then read p <"$f"; st=; ` +
    `[ -r /proc/$p/status ] && while read k v; do [ "$k" = State: ] && st=$v; done </proc/$p/status; ` +
    `case "$st" in ""|Z*) echo "pid $p (from $f) is not running\${st:+ ($st)}"; exit 1;; esac; ` +
    // A crash-looping service is alive for an instant between restarts: only a process that has
    // stayed up for STABLE_SECONDS counts (start time from /proc/PID/stat, in clock ticks).
    // /proc/uptime has two decimals: dropping the dot gives hundredths, the same unit as the ticks.
    `up=$(cut -d' ' -f1 /proc/uptime); up=\${up%.*}\${up#*.}; t=$(cut -d' ' -f22 /proc/$p/stat); age=$((up - t)); ` +
    `[ $age -lt ${STABLE_TICKS} ] && { echo "pid $p started $((age * 10)) ms ago (restarting?)"; exit 1; }; ` +
    `echo "runs as pid $p ($st) for $((age / 100)) s"; exit 0; fi; ${fallback}`
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
