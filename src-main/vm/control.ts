// The control channel of a test boot: a root shell (`sh -i`) on the guest's second serial
// port. Commands go one at a time; each runs in a fresh `sh -c` with stdin from /dev/null, its
// stdout and stderr go to files and come back base64-encoded between markers. The markers
// are computed by the guest shell (`$((N+0))`), so an echoed command line can never match.
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
}

export class ControlTimeoutError extends Error {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(`The command \`${short(command)}\` did not finish within ${timeoutMs} ms; it was killed.`);
    this.name = 'ControlTimeoutError';
  }
}

export class ControlClosedError extends Error {
  constructor(why: string) {
    super(`The control channel is closed: ${why}`);
    this.name = 'ControlClosedError';
  }
}

/**
 * busybox sh reads at most 1024 bytes per line, and the tty holds 4095 bytes; bytes sent
 * faster than the shell reads are dropped. A long command goes in acknowledged chunks.
 */
const CHUNK = 500;
const SYNC_TRIES = 4;
const SYNC_WAIT_MS = 1500;
/** Time the guest gets after its own watchdog fired to report back, before Yoke interrupts. */
const HOST_GRACE_MS = 3000;

function short(cmd: string): string {
  const one = cmd.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 77)}...` : one;
}

export interface Frame {
  /** Lines that assemble the encoded command in $yc; each answers with its ack marker. */
  chunks: { line: string; ack: string }[];
  /** The line that runs it and prints the framed answer. */
  run: string;
  begin: string;
  middle: string;
  end: RegExp;
}

/**
 * The lines sent for one command, and how to find its answer in the shell's output.
 *
 * The command runs as a background job under a guest-side watchdog that kills its whole
 * process group when time is up: Ctrl-C cannot be relied on, because a shell started from a
 * non-interactive init script with `&` inherits SIGINT ignored, for good.
 */
export function frameCommand(cmd: string, id: number, timeoutMs: number): Frame {
  const b64 = Buffer.from(cmd, 'utf8').toString('base64');
  const m = (tag: string) => `"YK_$((${id}+0))_${tag}"`;
  const chunks: Frame['chunks'] = [];
  for (let i = 0, n = 0; i < b64.length || i === 0; i += CHUNK, n++) {
    chunks.push({ line: `${i === 0 ? 'yc=' : 'yc=$yc'}${b64.slice(i, i + CHUNK)}; echo ${m(`C${n}`)}`, ack: `YK_${id}_C${n}\n` });
  }
  const secs = Math.max(0.1, timeoutMs / 1000).toFixed(1);
  const run =
    `rm -f /tmp/.yoke.to; sh -c "$(echo $yc | base64 -d)" </dev/null >/tmp/.yoke.out 2>/tmp/.yoke.err & yp=$!; ` +
    `(sleep ${secs}; : >/tmp/.yoke.to; kill -KILL -$yp || kill -KILL $yp) 2>/dev/null & yw=$!; ` +
    `wait $yp; yr=$?; kill -KILL -$yw $yw 2>/dev/null; [ -e /tmp/.yoke.to ] && yr=timeout; ` +
    `echo ${m('B')}; base64 /tmp/.yoke.out; echo ${m('M')}; base64 /tmp/.yoke.err; echo ${m('E')}_$yr`;
  return { chunks, run, begin: `YK_${id}_B\n`, middle: `YK_${id}_M\n`, end: new RegExp(`YK_${id}_E_(\\d+|timeout)\\n`) };
}

export type FramedAnswer = (RunResult & { rest: string; timedOut: false }) | { rest: string; timedOut: true; stdout: string; stderr: string };

/** Reads a framed answer out of the shell's output, or null while it is incomplete. */
export function parseFramed(buffer: string, frame: Frame): FramedAnswer | null {
  const b = buffer.indexOf(frame.begin);
  if (b < 0) return null;
  const m = buffer.indexOf(frame.middle, b);
  if (m < 0) return null;
  const tail = buffer.slice(m);
  const e = frame.end.exec(tail);
  if (!e) return null;
  const decode = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'base64').toString('utf8');
  const stdout = decode(buffer.slice(b + frame.begin.length, m));
  const stderr = decode(tail.slice(frame.middle.length, e.index));
  const rest = tail.slice(e.index + e[0].length);
  if (e[1] === 'timeout') return { timedOut: true, stdout, stderr, rest };
  return { timedOut: false, stdout, stderr, exitCode: Number(e[1]), rest };
}

interface Job {
  cmd: string;
  /** Only wait for the shell to answer. */
  ready: boolean;
  timeoutMs: number;
  resolve(r: RunResult): void;
  reject(e: Error): void;
}

export class ControlChannel {
  private readonly decoder = new StringDecoder('utf8');
  private readonly queue: Job[] = [];
  private buffer = '';
  private nextId = 100000 + Math.floor(Math.random() * 800000);
  private busy = false;
  private closedWhy?: string;
  private needsSync = true;
  private everSynced = false;
  private onBuffer?: () => void;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      // The tty turns \n into \r\n; the framing only deals in \n.
      this.buffer += this.decoder.write(chunk).replace(/\r/g, '');
      if (this.buffer.length > 64 * 1024 * 1024) this.buffer = this.buffer.slice(-1024 * 1024);
      this.onBuffer?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.close('the VM stopped'));
  }

  /**
   * Waits until the guest's shell answers (it starts late in boot), turning echo and prompts
   * off. Rejects after timeoutMs with a message naming the kernel flag that enables it.
   */
  async ready(timeoutMs: number): Promise<void> {
    await this.enqueue({ cmd: '', timeoutMs, ready: true });
  }

  run(cmd: string, opts: RunOptions = {}): Promise<RunResult> {
    if (this.closedWhy) return Promise.reject(new ControlClosedError(this.closedWhy));
    return this.enqueue({ cmd, timeoutMs: opts.timeoutMs ?? 30_000, ready: false });
  }

  private enqueue(job: Omit<Job, 'resolve' | 'reject'>): Promise<RunResult> {
    if (this.closedWhy) return Promise.reject(new ControlClosedError(this.closedWhy));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...job, resolve, reject });
      void this.pump();
    });
  }

  get isClosed(): boolean {
    return this.closedWhy !== undefined;
  }

  close(why = 'closed by Yoke'): void {
    if (this.closedWhy) return;
    this.closedWhy = why;
    this.socket.destroy();
    this.onBuffer?.();
    for (const j of this.queue.splice(0)) j.reject(new ControlClosedError(why));
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.queue.length && !this.closedWhy) {
        const job = this.queue.shift()!;
        try {
          const started = Date.now();
          // Before the first answer the shell may not exist yet: wait for it within the job's time.
          if (!this.everSynced) await this.firstSync(job.timeoutMs);
          else if (this.needsSync) await this.resync();
          if (job.ready) job.resolve({ exitCode: 0, stdout: '', stderr: '' });
          else job.resolve(await this.runOne({ ...job, timeoutMs: Math.max(1, job.timeoutMs - (Date.now() - started)) }));
        } catch (err) {
          job.reject(err as Error);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async runOne(job: Job): Promise<RunResult> {
    const frame = frameCommand(job.cmd, this.nextId++, job.timeoutMs);
    const deadline = Date.now() + job.timeoutMs + HOST_GRACE_MS;
    this.buffer = '';
    const single = frame.chunks.length === 1;
    for (const c of frame.chunks) {
      if (single) break;
      this.socket.write(c.line + '\n');
      const ack = await this.waitFor(() => {
        const i = this.buffer.indexOf(c.ack);
        return i < 0 ? null : this.buffer.slice(i + c.ack.length);
      }, Math.max(1, deadline - Date.now()));
      if (ack === 'timeout') return this.hostTimeout(job);
      this.buffer = ack;
    }
    this.socket.write(single ? `${frame.chunks[0].line}\n${frame.run}\n` : `${frame.run}\n`);
    const result = await this.waitFor(() => parseFramed(this.buffer, frame), Math.max(1, deadline - Date.now()));
    if (result === 'timeout') return this.hostTimeout(job);
    this.buffer = result.rest;
    if (result.timedOut) throw new ControlTimeoutError(job.cmd, job.timeoutMs, result.stdout, result.stderr);
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  /** The guest did not even report its own watchdog: interrupt and resync before the next command. */
  private hostTimeout(job: Job): never {
    this.needsSync = true;
    throw new ControlTimeoutError(job.cmd, job.timeoutMs, '', '');
  }

  private async firstSync(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `The guest's control shell (second serial port) did not answer within ${timeoutMs} ms. ` +
            'Does the image start `sh -i` on /dev/ttyS1 when the kernel command line has yoke.control=1?',
        );
      }
      if (await this.sync(Math.min(400, left), false)) break;
    }
    this.everSynced = true;
    this.needsSync = false;
  }

  /** After a timeout: interrupt whatever runs (Ctrl-C to the foreground job), then resync. */
  private async resync(): Promise<void> {
    for (let i = 0; i < SYNC_TRIES; i++) {
      if (await this.sync(SYNC_WAIT_MS, true)) {
        this.needsSync = false;
        return;
      }
    }
    const why = `the guest's shell stopped answering (no reply after ${SYNC_TRIES} interrupts)`;
    this.close(why);
    throw new ControlClosedError(why);
  }

  private async sync(waitMs: number, interrupt: boolean): Promise<boolean> {
    const id = this.nextId++;
    this.buffer = '';
    // Echo and prompts off every time: a shell respawned by init starts with them on.
    this.socket.write(`${interrupt ? '\x03' : ''}\nstty -echo 2>/dev/null; PS1=''; PS2=''; echo "YK_$((${id}+0))_S"\n`);
    const token = `YK_${id}_S\n`;
    const r = await this.waitFor(() => {
      const i = this.buffer.indexOf(token);
      return i < 0 ? null : this.buffer.slice(i + token.length);
    }, waitMs);
    if (r === 'timeout') return false;
    this.buffer = r;
    return true;
  }

  private waitFor<T>(probe: () => T | null, timeoutMs: number): Promise<T | 'timeout'> {
    return new Promise((resolve, reject) => {
      const done = (v: T | 'timeout' | Error) => {
        clearTimeout(timer);
        this.onBuffer = undefined;
        if (v instanceof Error) reject(v);
        else resolve(v);
      };
      const check = () => {
        if (this.closedWhy) return done(new ControlClosedError(this.closedWhy));
        const v = probe();
        if (v !== null) done(v);
      };
      const timer = setTimeout(() => done('timeout'), timeoutMs);
      this.onBuffer = check;
      check();
    });
  }
}
