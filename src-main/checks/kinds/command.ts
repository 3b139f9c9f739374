// command: a guest command exits 0 (or its exit-code) and its stdout matches.
import { z } from 'zod';
import { expected, strict, text, why } from '../../spec/zod-rules';
import { shQuote } from '../../vm/control-frame';
import { defineKind, numberField, opt, textField } from './kind';

/** stdout: exact match after trimming both sides, or a regular expression when written as /re/ */
export type CommandCheck = { kind: 'command'; run: string; stdout?: string; exitCode: number };

/** `/re/flags` is a regular expression; anything else must equal the trimmed stdout. */
export function stdoutMatches(want: string, stdout: string): boolean {
  const re = /^\/(.*)\/([a-z]*)$/s.exec(want);
  if (re) {
    try {
      // The line ending a command prints (and a serial line's CR) is not part of what it said:
      // /^[1-9][0-9]*$/ must match "2\n".
      return new RegExp(re[1], re[2]).test(stdout.replace(/\r/g, '').replace(/\n+$/, ''));
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

export function readCommand(check: CommandCheck, r: { stdout: string; stderr: string; exitCode: number }) {
  const want = check.exitCode ?? 0;
  if (r.exitCode !== want) {
    return { ok: false, detail: `\`${check.run}\` exited with ${r.exitCode}, expected ${want}; stderr ${excerpt(r.stderr)}, stdout ${excerpt(r.stdout)}` };
  }
  if (check.stdout !== undefined && !stdoutMatches(check.stdout, r.stdout)) {
    return { ok: false, detail: `\`${check.run}\` printed ${excerpt(r.stdout)}, expected ${check.stdout.startsWith('/') ? 'a match for ' : ''}${JSON.stringify(check.stdout)}` };
  }
  return { ok: true, detail: `\`${check.run}\` exited with ${r.exitCode}${check.stdout !== undefined ? `, stdout ${excerpt(r.stdout)}` : ''}` };
}

const Command = z.union(
  [
    text('a shell command line'),
    strict('a mapping { run, stdout, exit-code }', {
      run: text('a shell command line'),
      stdout: text('the expected output (exact after trimming, or /regex/)').optional(),
      'exit-code': z.int(expected('an exit status 0..255')).min(0).max(255, why((v) => `expected an exit status 0..255, found ${String(v)}`)).meta({ default: 0 }).optional(),
    }),
  ],
  expected('a shell command line, or a mapping { run, stdout, exit-code }'),
);

export const command = defineKind({
  kind: 'command',
  schema: Command.meta({ title: 'A guest command exits 0 (or exit-code) and its stdout matches' }),
  normalize: (raw: z.infer<typeof Command>) => {
    const cmd = typeof raw === 'string' ? { run: raw } : raw;
    const short = cmd.run.length > 40 ? cmd.run.slice(0, 37) + '...' : cmd.run;
    return { name: `command ${short}`, check: { kind: 'command', run: cmd.run, exitCode: cmd['exit-code'] ?? 0, ...opt('stdout', cmd.stdout) } as CommandCheck };
  },
  probe: async (check, t) => readCommand(check, await t.run(check.run)),
  // A /re/ is matched by busybox grep -E there (POSIX extended, not JavaScript: no \\d, no lookaround).
  inGuest: (c) => {
    const run = shQuote(c.run);
    const lines = [
      `e=$(mktemp); out=$(sh -c ${run} 2>"$e"); rc=$?; err=$(head -c 200 "$e"); rm -f "$e"`,
      `[ "$rc" = ${c.exitCode} ] || { echo ${shQuote(`\`${c.run.length > 60 ? `${c.run.slice(0, 57)}...` : c.run}\` exited with `)}"$rc, expected ${c.exitCode}: $err"; exit 1; }`,
    ];
    if (c.stdout !== undefined) {
      const re = /^\/(.*)\/([a-z]*)$/s.exec(c.stdout);
      const test = re
        ? `printf '%s\\n' "$out" | grep -Eq${re[2].includes('i') ? 'i' : ''} -e ${shQuote(re[1])}`
        : `[ "$(printf '%s' "$out" | sed -e '1s/^[[:space:]]*//' -e '$s/[[:space:]]*$//')" = ${shQuote(c.stdout.trim())} ]`;
      lines.push(`${test} || { echo "printed $(printf '%s' "$out" | head -c 200), expected ${re ? 'a match for ' : ''}"${shQuote(c.stdout)}; exit 1; }`);
    }
    return lines.join('\n');
  },
  retry: 'guest',
  label: 'A command succeeds in the guest',
  fields: [
    { name: 'run', label: 'Command line', type: 'text', required: true },
    { name: 'stdout', label: 'Expected output (or /regex/)', type: 'text', required: false },
    { name: 'exit-code', label: 'Exit code', type: 'number', required: false },
  ],
  example: { run: 'cat /etc/hostname', stdout: '/./', 'exit-code': 0 },
  wizardValue: (f) => {
    const run = textField(f, 'run') ?? '';
    const extra = { ...opt('stdout', textField(f, 'stdout')), ...opt('exit-code', numberField(f, 'exit-code')) };
    return Object.keys(extra).length ? { run, ...extra } : run;
  },
});
