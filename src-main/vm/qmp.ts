// A small QMP client: greeting, qmp_capabilities, commands answered in order, events to
// listeners. QMP answers commands strictly in the order they were sent, so one FIFO of
// waiting callers is enough.
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { connectUnix } from './unix-socket';

export interface QmpEvent {
  event: string;
  data?: unknown;
  timestamp?: { seconds: number; microseconds: number };
}

interface Waiter {
  command: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class QmpError extends Error {
  constructor(readonly command: string, readonly errorClass: string, desc: string) {
    super(`QMP ${command} failed: ${desc} (${errorClass})`);
    this.name = 'QmpError';
  }
}

export class QmpClient {
  private readonly waiters: Waiter[] = [];
  private readonly listeners = new Set<(e: QmpEvent) => void>();
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private greeted?: (v: unknown) => void;
  private closedError?: Error;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => this.onData(this.decoder.write(chunk)));
    socket.on('error', () => undefined); // 'close' follows and says what matters
    socket.on('close', () => this.onClose());
  }

  /** Connects (retrying until the socket exists or timeoutMs passes) and negotiates capabilities. */
  static async connect(socketPath: string, timeoutMs = 10_000, isAlive?: () => boolean): Promise<QmpClient> {
    const socket = await connectUnix(socketPath, timeoutMs, 'QMP', isAlive);
    const client = new QmpClient(socket);
    await new Promise<unknown>((resolve, reject) => {
      client.greeted = resolve;
      client.waiters.push({ command: 'greeting', resolve, reject });
    });
    await client.execute('qmp_capabilities');
    return client;
  }

  execute<T = unknown>(command: string, args?: Record<string, unknown>): Promise<T> {
    if (this.closedError) return Promise.reject(new Error(`QMP ${command}: ${this.closedError.message}`));
    return new Promise<T>((resolve, reject) => {
      this.waiters.push({ command, resolve: resolve as (v: unknown) => void, reject });
      this.socket.write(JSON.stringify(args ? { execute: command, arguments: args } : { execute: command }) + '\n');
    });
  }

  onEvent(listener: (e: QmpEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(text: string): void {
    this.pending += text;
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).trim();
      this.pending = this.pending.slice(nl + 1);
      if (line) this.onMessage(line);
    }
  }

  private onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return; // not QMP; nothing sensible to do with it
    }
    if ('QMP' in msg) {
      const w = this.greeted ? this.waiters.shift() : undefined;
      this.greeted = undefined;
      w?.resolve(msg.QMP);
    } else if ('event' in msg) {
      for (const l of this.listeners) l(msg as unknown as QmpEvent);
    } else if ('return' in msg || 'error' in msg) {
      const w = this.waiters.shift();
      if (!w) return;
      if ('error' in msg) {
        const e = msg.error as { class?: string; desc?: string };
        w.reject(new QmpError(w.command, e.class ?? 'GenericError', e.desc ?? 'unknown error'));
      } else {
        w.resolve(msg.return);
      }
    }
  }

  private onClose(): void {
    this.closedError = new Error('the QMP connection closed (qemu exited?)');
    for (const w of this.waiters.splice(0)) {
      // quit and system_powerdown may lose their reply race against the exit itself.
      if (w.command === 'quit') w.resolve({});
      else w.reject(new Error(`QMP ${w.command}: ${this.closedError.message}`));
    }
  }
}
