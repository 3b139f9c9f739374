// How one command travels over the control shell and how its answer is found again.
// Pure string work, unit-tested without a VM.
//
// The command runs in a subshell `( eval ... )` (a fork, no exec: the cheapest isolation under
// TCG) with stdin from /dev/null and stdout/stderr in files, which are then printed between
// markers. Markers are computed by the guest (`$((N+0))`, `printf 'YK_%s'`), so the command
// line itself can never match one even if echo were on. The tty runs with -opost, so the
// bytes arrive exactly as written.

/**
 * busybox sh reads at most 1024 bytes per line and the tty holds 4095; bytes sent faster than
 * the shell reads are dropped. Long or unusual commands go base64-encoded in acknowledged chunks.
 */
export const CHUNK = 800;
const DIRECT_MAX = 700;

export interface Frame {
  /** Lines that assemble the encoded command in $yc; each answers with its ack marker. */
  chunks: { line: string; ack: string }[];
  /** The line that runs the command and prints the framed answer. */
  run: string;
  begin: string;
  middle: string;
  end: RegExp;
}

export interface FramedAnswer {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** Output after the answer (job notices, the next prompt), kept for the next read. */
  rest: string;
}

export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function frameCommand(cmd: string, id: number): Frame {
  const chunks: Frame['chunks'] = [];
  let script: string;
  // Printable ASCII on one line goes as it is; anything else (newlines, control characters
  // the tty would act on, long text) is base64-encoded.
  if (/^[\x20-\x7e]*$/.test(cmd) && cmd.length <= DIRECT_MAX) {
    script = shQuote(cmd);
  } else {
    const b64 = Buffer.from(cmd, 'utf8').toString('base64');
    for (let i = 0, n = 0; i < b64.length; i += CHUNK, n++) {
      chunks.push({
        line: `yc=${i === 0 ? '' : '${yc}'}${b64.slice(i, i + CHUNK)}; echo "YK_$((${id}+0))_C${n}"`,
        ack: `YK_${id}_C${n}\n`,
      });
    }
    script = '"$(echo $yc | base64 -d)"';
  }
  const run =
    `( eval ${script} ) </dev/null >/tmp/.yoke.out 2>/tmp/.yoke.err; yr=$?; ` +
    `echo "YK_$((${id}+0))_B"; cat /tmp/.yoke.out; printf '\\nYK_%s_M\\n' $((${id}+0)); ` +
    `[ -s /tmp/.yoke.err ] && cat /tmp/.yoke.err; printf '\\nYK_%s_E_%s\\n' $((${id}+0)) $yr`;
  return { chunks, run, begin: `YK_${id}_B\n`, middle: `\nYK_${id}_M\n`, end: new RegExp(`\\nYK_${id}_E_(\\d+)\\n`) };
}

/** The answer to `frame` in the shell's output, or null while it is incomplete. */
export function parseFramed(buffer: string, frame: Frame): FramedAnswer | null {
  const b = buffer.indexOf(frame.begin);
  if (b < 0) return null;
  const m = buffer.indexOf(frame.middle, b + frame.begin.length);
  if (m < 0) return null;
  const tail = buffer.slice(m + frame.middle.length);
  const e = frame.end.exec(tail);
  if (!e) return null;
  return {
    stdout: buffer.slice(b + frame.begin.length, m),
    stderr: tail.slice(0, e.index),
    exitCode: Number(e[1]),
    rest: tail.slice(e.index + e[0].length),
  };
}

/**
 * Resynchronises the shell: echo, output processing and prompts off (a shell respawned by
 * init starts with them on), and after an interrupted command the stopped job killed.
 */
export function syncLine(id: number, killStopped: boolean): { line: string; token: string } {
  const kill = killStopped ? 'kill -KILL %% 2>/dev/null; ' : '';
  return {
    line: `\n${kill}stty -echo -opost 2>/dev/null; PS1=''; PS2=''; echo "YK_$((${id}+0))_S"\n`,
    token: `YK_${id}_S\n`,
  };
}
