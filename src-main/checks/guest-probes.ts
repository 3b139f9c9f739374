// One attempt of each check that looks inside the guest: the shell command sent over the
// control channel and the reading of its answer. Parsers are pure and unit-tested; the
// commands use shell builtins where they can, since every fork is slow under TCG.
import type { Check } from '../spec/types';
import type { RunResult } from '../vm/control';
import { shQuote } from '../vm/control-frame';

export interface ProbeOutcome {
  ok: boolean;
  /** What was seen: the success message, or the failure's evidence. */
  detail: string;
  /** A failure that no retry can fix (a configuration error). */
  final?: boolean;
}

type Of<K extends Check['kind']> = Extract<Check, { kind: K }>;

// ---------- service ----------

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
 * crash-looping service cannot pass by being caught alive between two restarts.
 */
export const SETTLE_SECONDS = 1;

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
    `read p <"$f"; rec; e1=$e; ` +
    `alive $p || { echo "pid $p (from $f) is not running\${st:+ ($st)}$(said $e $r)"; exit 1; }; ` +
    `sleep ${SETTLE_SECONDS}; ` +
    `read p2 <"$f"; rec; ` +
    `[ "$p2" = "$p" ] && [ "$e" = "$e1" ] && alive $p || { echo "pid $p exited within ${SETTLE_SECONDS} s (restarting?)$(said $e $r)"; exit 1; }; ` +
    `echo "runs as pid $p ($st), up for ${SETTLE_SECONDS} s with no exit$(said $e $r)"; exit 0; fi; ${fallback}`
  );
}

export function readService(check: Of<'service'>, r: RunResult): ProbeOutcome {
  const said = r.stdout.trim() || r.stderr.trim() || `exit code ${r.exitCode}`;
  return { ok: r.exitCode === 0, detail: `service ${check.service} ${r.exitCode === 0 ? said : `is not running: ${said}`}` };
}

// ---------- port ----------

export const PORT_COMMAND = 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null';

/** TCP ports in state LISTEN (0A) in /proc/net/tcp and tcp6 text. */
export function listeningPorts(procNetTcp: string): number[] {
  const ports = new Set<number>();
  for (const line of procNetTcp.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 4 || !/^\d+:$/.test(f[0]) || f[3] !== '0A') continue;
    const port = parseInt(f[1].split(':')[1] ?? '', 16);
    if (Number.isInteger(port)) ports.add(port);
  }
  return [...ports].sort((a, b) => a - b);
}

export function readPort(check: Of<'port'>, r: RunResult): ProbeOutcome {
  const ports = listeningPorts(r.stdout);
  if (ports.includes(check.port)) return { ok: true, detail: `something listens on guest TCP port ${check.port}` };
  return { ok: false, detail: `nothing listens on guest TCP port ${check.port} (listening: ${ports.length ? ports.join(', ') : 'none'})` };
}

// ---------- mount ----------

export const MOUNT_COMMAND = 'cat /proc/mounts';

export interface MountEntry {
  device: string;
  path: string;
  fstype: string;
}

/** /proc/mounts escapes space, tab, newline and backslash as octal (\040 ...). */
export function parseMounts(text: string): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length >= 3)
    .map((f) => ({ device: unescape(f[0]), path: unescape(f[1]), fstype: f[2] }));
}

function normalPath(p: string): string {
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

export function readMount(check: Of<'mount'>, r: RunResult): ProbeOutcome {
  const want = normalPath(check.path);
  const mounts = parseMounts(r.stdout);
  // The last entry wins: a later mount over the same path hides the earlier one.
  const m = mounts.filter((e) => e.path === want).pop();
  if (!m) {
    const near = mounts.map((e) => e.path).filter((p) => p !== '/' && !/^\/(proc|sys|dev|run)(\/|$)/.test(p));
    return { ok: false, detail: `nothing is mounted on ${want} (mounted: ${near.length ? near.join(', ') : 'only system filesystems'})` };
  }
  if (check.fstype && m.fstype !== check.fstype) {
    return { ok: false, detail: `${want} is mounted as ${m.fstype} from ${m.device}, expected ${check.fstype}` };
  }
  return { ok: true, detail: `${want} is mounted (${m.fstype} from ${m.device})` };
}

// ---------- file ----------

export function fileCommand(check: Of<'file'>): string {
  const p = shQuote(check.path);
  const grep = check.contains !== undefined ? `; if grep -qF -e ${shQuote(check.contains)} ${p}; then echo contains; else echo lacks; fi` : '';
  return `[ -e ${p} ] || { echo missing; exit 3; }; stat -c '%a %F' ${p}${grep}`;
}

/** Compares modes as numbers, so "0644", "644" and "0o644" agree. */
export function sameMode(want: string, actualOctal: string): boolean {
  const w = parseInt(want.replace(/^0o/i, ''), 8);
  return Number.isInteger(w) && w === parseInt(actualOctal, 8);
}

export function readFile(check: Of<'file'>, r: RunResult): ProbeOutcome {
  if (r.exitCode === 3) return { ok: false, detail: `${check.path} does not exist` };
  if (r.exitCode !== 0) return { ok: false, detail: `could not inspect ${check.path}: ${(r.stderr || r.stdout).trim()}` };
  const [statLine = '', grepLine = ''] = r.stdout.trim().split('\n');
  const [mode = '', ...kind] = statLine.split(' ');
  const facts = [`${check.path} exists (${kind.join(' ')}, mode ${mode.padStart(4, '0')})`];
  if (check.mode !== undefined && !sameMode(check.mode, mode)) {
    return { ok: false, detail: `${facts[0]}, but the mode should be ${check.mode}` };
  }
  if (check.contains !== undefined) {
    if (grepLine.trim() !== 'contains') return { ok: false, detail: `${facts[0]} but does not contain ${JSON.stringify(check.contains)}` };
    facts.push(`contains ${JSON.stringify(check.contains)}`);
  }
  return { ok: true, detail: facts.join(', ') };
}

// ---------- command ----------

/** `/re/flags` is a regular expression; anything else must equal the trimmed stdout. */
export function stdoutMatches(want: string, stdout: string): boolean {
  const re = /^\/(.*)\/([a-z]*)$/s.exec(want);
  if (re) {
    try {
      return new RegExp(re[1], re[2]).test(stdout);
    } catch {
      return false;
    }
  }
  return stdout.trim() === want.trim();
}

function excerpt(s: string, max = 200): string {
  const t = s.trim();
  return JSON.stringify(t.length > max ? `${t.slice(0, max)}…` : t);
}

export function readCommand(check: Of<'command'>, r: RunResult): ProbeOutcome {
  const want = check.exitCode ?? 0;
  if (r.exitCode !== want) {
    return { ok: false, detail: `\`${check.run}\` exited with ${r.exitCode}, expected ${want}; stderr ${excerpt(r.stderr)}, stdout ${excerpt(r.stdout)}` };
  }
  if (check.stdout !== undefined && !stdoutMatches(check.stdout, r.stdout)) {
    return { ok: false, detail: `\`${check.run}\` printed ${excerpt(r.stdout)}, expected ${check.stdout.startsWith('/') ? 'a match for ' : ''}${JSON.stringify(check.stdout)}` };
  }
  return { ok: true, detail: `\`${check.run}\` exited with ${r.exitCode}${check.stdout !== undefined ? `, stdout ${excerpt(r.stdout)}` : ''}` };
}
