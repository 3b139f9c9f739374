import type { CommandName, EventName, EventPayload, Req, Res, Result, YokeClient } from '../../src-main/api/contract';

export type ConnectionStatus = 'connecting' | 'open' | 'closed';

type Pending = { resolve: (r: Result<unknown>) => void };
type AnyListener = (payload: unknown) => void;

const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5000;

function lost(message: string): Result<never> {
  return { ok: false, error: { code: 'unavailable', message } };
}

/**
 * The contract over `yoke serve`'s WebSocket. Calls made while disconnected wait for the
 * socket; calls in flight when it drops answer 'unavailable' (the engine may or may not have
 * run them, so they are not replayed). Reconnects with backoff, forever.
 */
export class SocketClient implements YokeClient {
  private ws: WebSocket | null = null;
  private nextId = 1;
  private retryMs = RETRY_MIN_MS;
  private readonly pending = new Map<number, Pending>();
  private readonly queue = new Map<number, string>();
  private readonly listeners = new Map<string, Set<AnyListener>>();
  private readonly statusListeners = new Set<(s: ConnectionStatus) => void>();
  status: ConnectionStatus = 'connecting';

  constructor(private readonly url: string) {
    this.connect();
  }

  invoke<C extends CommandName>(command: C, request: Req<C>): Promise<Result<Res<C>>> {
    const id = this.nextId++;
    const text = JSON.stringify({ id, command, request });
    return new Promise((resolve) => {
      this.pending.set(id, { resolve: resolve as Pending['resolve'] });
      if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
      else this.queue.set(id, text);
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener as AnyListener);
    return () => void set.delete(listener as AnyListener);
  }

  onStatus(listener: (s: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  private setStatus(s: ConnectionStatus): void {
    this.status = s;
    for (const l of this.statusListeners) l(s);
  }

  private connect(): void {
    this.setStatus('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.onopen = () => {
      this.retryMs = RETRY_MIN_MS;
      this.setStatus('open');
      for (const text of this.queue.values()) ws.send(text);
      this.queue.clear();
    };
    ws.onmessage = (m) => this.receive(String(m.data));
    ws.onclose = () => {
      this.ws = null;
      for (const [id, p] of this.pending) {
        // Queued calls were never sent; they go out on the next connection.
        if (!this.queue.has(id)) {
          this.pending.delete(id);
          p.resolve(lost('the connection to yoke serve was lost while this request ran; try again'));
        }
      }
      this.setStatus('closed');
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    };
  }

  private receive(text: string): void {
    let msg: { id?: number; result?: Result<unknown>; event?: string; payload?: unknown };
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof msg.event === 'string') {
      for (const l of this.listeners.get(msg.event) ?? []) l(msg.payload);
      return;
    }
    if (typeof msg.id === 'number' && msg.result) {
      const p = this.pending.get(msg.id);
      this.pending.delete(msg.id);
      p?.resolve(msg.result);
    }
  }
}
