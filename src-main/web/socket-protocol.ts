import type { WebSocket } from 'ws';
import type { Result } from '../api/contract';
import type { Engine } from '../api/engine';

/** The part of the engine a face uses: untrusted calls in, events out. */
export type EngineFace = Pick<Engine, 'call' | 'on' | 'close'>;

// Messages on /ws, as JSON text frames:
//   browser → server  { id, command, request }
//   server → browser  { id, result }          (result is the contract's Result envelope)
//   server → browser  { event, payload }      (pushed, no id)
export interface CallMessage {
  id: number | string;
  command: string;
  request?: unknown;
}

export function parseCallMessage(text: string): { ok: true; message: CallMessage } | { ok: false; id: CallMessage['id'] | null; message: string } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return { ok: false, id: null, message: 'message is not JSON' };
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { ok: false, id: null, message: 'message must be an object {id, command, request}' };
  }
  const { id, command, request } = data as Record<string, unknown>;
  const validId = typeof id === 'number' || typeof id === 'string' ? id : null;
  if (validId === null) return { ok: false, id: null, message: 'message needs an "id" (number or string)' };
  if (typeof command !== 'string') return { ok: false, id: validId, message: 'message needs a "command" string' };
  return { ok: true, message: { id: validId, command, request } };
}

function invalid(message: string): Result<never> {
  return { ok: false, error: { code: 'invalid-request', message } };
}

/** Serves the contract on one accepted socket; returns a function that detaches it. */
export function serveSocket(ws: WebSocket, engine: EngineFace): () => void {
  const send = (data: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(data));
  };
  const unsubscribe = engine.on((event, payload) => send({ event, payload }));
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return send({ id: null, result: invalid('binary frames are not accepted; send JSON text') });
    const parsed = parseCallMessage(raw.toString());
    if (!parsed.ok) return send({ id: parsed.id, result: invalid(parsed.message) });
    const { id, command, request } = parsed.message;
    engine.call(command, request).then(
      (result) => send({ id, result }),
      (e: unknown) => send({ id, result: { ok: false, error: { code: 'internal', message: String((e as Error)?.message ?? e) } } }),
    );
  });
  ws.on('close', unsubscribe);
  ws.on('error', unsubscribe);
  return unsubscribe;
}
