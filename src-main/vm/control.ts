// The control channel of a test boot: a root shell (`sh -i`) on the guest's second serial
// port. Commands go one at a time through a queue (see control-frame.ts for the framing).
//
// Timeouts: Ctrl-C cannot be relied on, because a shell started from a non-interactive init
// script with `&` inherits SIGINT ignored, for good. Ctrl-Z can: the shell runs each command
// as a foreground job under job control, SIGTSTP stops it, the shell goes on to print the
// answer's markers, and the next line kills the stopped job (`kill -KILL %%`).
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { frameCommand, parseFramed, syncLine } from './control-frame';

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
  ) {
    super(`The command \`${short(command)}\` did not finish within ${timeoutMs} ms; it was stopped and killed.`);
    this.name = 'ControlTimeoutError';
  }
}

export class ControlClosedError extends Error {
  constructor(why: string) {
    super(`The control channel is closed: ${why}`);
    this.name = 'ControlClosedError';
  }
}

const SYNC_TRIES = 4;
/** While the guest boots, how often to ask whether its shell is there yet. */
const FIRST_SYNC_PROBE_MS = 150;
const SYNC_WAIT_MS = 1500;
/** How long a stopped command's markers may take to arrive after Ctrl-Z. */
const STOP_WAIT_MS = 2000;

function short(cmd: string): string {
  const one = cmd.replace(/\s+/g, ' ').trim();
  return one.length > 80 ? `${one.slice(0, 77)}...` : one;
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
  private needsSync = false;
  private everSynced = false;
  private onBuffer?: () => void;

  constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer += this.decoder.write(chunk);
      // Nobody reads between commands; keep a stray flood from growing without bound.
      if (this.buffer.length > 64 * 1024 * 1024) this.buffer = this.buffer.slice(-1024 * 1024);
      this.onBuffer?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.close('the VM stopped'));
  }

  /** Waits until the guest's shell answers; it starts late in boot. */
  async ready(timeoutMs: number): Promise<void> {
    await this.enqueue({ cmd: '', timeoutMs, ready: true });
  }

  run(cmd: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.enqueue({ cmd, timeoutMs: opts.timeoutMs ?? 30_000, ready: false });
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

  private enqueue(job: Omit<Job, 'resolve' | 'reject'>): Promise<RunResult> {
    if (this.closedWhy) return Promise.reject(new ControlClosedError(this.closedWhy));
    return new Promise((resolve, reject) => {
      this.queue.push({ ...job, resolve, reject });
      void this.pump();
    });
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
          else job.resolve(await this.runOne(job.cmd, Math.max(1, job.timeoutMs - (Date.now() - started))));
        } catch (err) {
          job.reject(err as Error);
        }
      }
    } finally {
      this.busy = false;
    }
  }

  private async runOne(cmd: string, timeoutMs: number): Promise<RunResult> {
    const frame = frameCommand(cmd, this.nextId++);
    const deadline = Date.now() + timeoutMs;
    this.buffer = '';
    for (const c of frame.chunks) {
      this.socket.write(c.line + '\n');
      const ack = await this.waitFor(() => after(this.buffer, c.ack), Math.max(1, deadline - Date.now()));
      if (ack === 'timeout') return this.interrupt(cmd, timeoutMs, null);
      this.buffer = ack;
    }
    this.socket.write(frame.run + '\n');
    const parse = () => parseFramed(this.buffer, frame);
    const result = await this.waitFor(parse, Math.max(1, deadline - Date.now()));
    if (result === 'timeout') return this.interrupt(cmd, timeoutMs, parse);
    this.buffer = result.rest;
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  /** Stops the running command (Ctrl-Z), kills it, and resyncs before rejecting. */
  private async interrupt(cmd: string, timeoutMs: number, parse: (() => ReturnType<typeof parseFramed>) | null): Promise<never> {
    this.socket.write('\x1a');
    if (parse) {
      const late = await this.waitFor(parse, STOP_WAIT_MS);
      if (late !== 'timeout') this.buffer = late.rest;
    }
    this.needsSync = true;
    try {
      await this.resync();
    } catch {
      /* the channel is closed now; the timeout is still what the caller should hear */
    }
    throw new ControlTimeoutError(cmd, timeoutMs);
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
      if (await this.sync(Math.min(FIRST_SYNC_PROBE_MS, left), false)) break;
    }
    this.everSynced = true;
    this.needsSync = false;
  }

  /** After an interrupted command: kill the stopped job; if the shell still hangs, try Ctrl-C. */
  private async resync(): Promise<void> {
    for (let i = 0; i < SYNC_TRIES; i++) {
      if (i > 0) this.socket.write(i % 2 ? '\x03' : '\x1a');
      if (await this.sync(SYNC_WAIT_MS, true)) {
        this.needsSync = false;
        return;
      }
    }
    const why = `the guest's shell stopped answering (no reply after ${SYNC_TRIES} interrupts)`;
    this.close(why);
    throw new ControlClosedError(why);
  }

  private async sync(waitMs: number, killStopped: boolean): Promise<boolean> {
    const { line, token } = syncLine(this.nextId++, killStopped);
    this.buffer = '';
    this.socket.write(line);
    const r = await this.waitFor(() => after(this.buffer, token), waitMs);
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

function after(buffer: string, token: string): string | null {
  const i = buffer.indexOf(token);
  return i < 0 ? null : buffer.slice(i + token.length);
}
