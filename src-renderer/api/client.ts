import type { CommandName, EventName, EventPayload, Req, Res, Result, YokeClient } from '../../src-main/api/contract';
import { SocketClient, type ConnectionStatus } from './socket-client';

// The one module of the renderer that knows how it reaches the engine: the Electron preload's
// window.yoke when present, else the WebSocket of `yoke serve`. Everything else imports from here.

export type { ConnectionStatus };
export type Transport = 'ipc' | 'websocket';

function socketUrl(): string {
  const here = new URL(window.location.href);
  const ws = new URL('/ws', here);
  ws.protocol = here.protocol === 'https:' ? 'wss:' : 'ws:';
  // The HttpOnly session cookie (set when the one-time sign-in token was redeemed) goes along.
  return ws.href;
}

function createClient(): { client: YokeClient; transport: Transport; socket: SocketClient | null } {
  if (window.yoke) return { client: window.yoke, transport: 'ipc', socket: null };
  const socket = new SocketClient(socketUrl());
  return { client: socket, transport: 'websocket', socket };
}

const created = createClient();

export const transport: Transport = created.transport;

export function invoke<C extends CommandName>(command: C, request: Req<C>): Promise<Result<Res<C>>> {
  return created.client.invoke(command, request).catch(
    (e: unknown): Result<Res<C>> => ({ ok: false, error: { code: 'internal', message: String((e as Error)?.message ?? e) } }),
  );
}

export function subscribe<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return created.client.on(event, listener);
}

/** IPC is always connected; the socket reports its state. */
export function onConnectionStatus(listener: (s: ConnectionStatus) => void): () => void {
  if (!created.socket) {
    listener('open');
    return () => {};
  }
  listener(created.socket.status);
  return created.socket.onStatus(listener);
}
