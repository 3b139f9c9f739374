// The guest's serial console (ttyS0). It must be read continuously: when nobody drains the
// socket, qemu stops accepting the guest's output and the guest stalls on its next write.
import fs from 'node:fs';
import net from 'node:net';
import { StringDecoder } from 'node:string_decoder';

/** What waitForText searches: recent output, bounded so a chatty guest cannot grow it forever. */
const SEARCH_WINDOW = 1024 * 1024;

interface TextWaiter {
  re: RegExp;
  resolve(match: RegExpExecArray): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export class ConsoleClosedError extends Error {}

export class SerialConsole {
  private readonly decoder = new StringDecoder('utf8');
  private readonly subscribers = new Set<(text: string) => void>();
  private readonly waiters = new Set<TextWaiter>();
  private readonly lines: string[] = [];
  private partial = '';
  private text = '';
  private closed = false;
  private readonly log: fs.WriteStream;

  constructor(
    private readonly socket: net.Socket,
    logPath: string,
    private readonly keepLines = 500,
  ) {
    this.log = fs.createWriteStream(logPath, { flags: 'a' });
    this.log.on('error', () => undefined); // a full disk must not kill the VM's reader
    socket.on('data', (chunk) => {
      this.log.write(chunk);
      this.onText(this.decoder.write(chunk));
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
  }

  /** Subscribe to raw console text as it arrives (for a live console view). */
  onData(listener: (text: string) => void): () => void {
    this.subscribers.add(listener);
    return () => this.subscribers.delete(listener);
  }

  /** Keys typed into the console (live terminal). */
  write(data: string | Buffer): void {
    if (!this.closed) this.socket.write(data);
  }

  /** The last `n` complete lines (plus the unfinished one), control characters removed. */
  tail(n = 20): string[] {
    const all = this.partial ? [...this.lines, this.partial] : this.lines;
    return all.slice(-n).map(clean);
  }

  /** All output kept in memory (the most recent megabyte). */
  get output(): string {
    return this.text;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves as soon as the console output (already seen or still to come) matches `re`. */
  waitForText(re: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    const found = exec(re, this.text);
    if (found) return Promise.resolve(found);
    if (this.closed) return Promise.reject(this.closedError(re));
    return new Promise((resolve, reject) => {
      const waiter: TextWaiter = {
        re,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`The console did not show ${re} within ${timeoutMs} ms. Last lines:\n${this.tail(15).join('\n')}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  close(): Promise<void> {
    this.socket.destroy();
    return new Promise((resolve) => this.log.end(resolve));
  }

  private onText(chunk: string): void {
    if (!chunk) return;
    this.text += chunk;
    if (this.text.length > SEARCH_WINDOW * 2) this.text = this.text.slice(-SEARCH_WINDOW);
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    if (parts.length) {
      this.lines.push(...parts);
      if (this.lines.length > this.keepLines) this.lines.splice(0, this.lines.length - this.keepLines);
    }
    for (const s of this.subscribers) s(chunk);
    for (const w of this.waiters) {
      const m = exec(w.re, this.text);
      if (m) {
        clearTimeout(w.timer);
        this.waiters.delete(w);
        w.resolve(m);
      }
    }
  }

  private closedError(re: RegExp): Error {
    return new ConsoleClosedError(`The VM stopped before its console showed ${re}. Last lines:\n${this.tail(15).join('\n')}`);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.onText(this.decoder.end());
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(this.closedError(w.re));
    }
    this.waiters.clear();
  }
}

function exec(re: RegExp, text: string): RegExpExecArray | null {
  // A global or sticky regex keeps lastIndex between calls; a fresh copy makes every search whole.
  const r = re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, '')) : re;
  return r.exec(text);
}

/** Drops carriage returns and terminal escape sequences so lines read cleanly in messages. */
export function clean(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\r\x00-\x08\x0b-\x1f\x7f]/g, '');
}
