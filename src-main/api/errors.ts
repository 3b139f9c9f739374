import type { YokeError } from './contract';

/** An error meant for the user: it crosses the contract as `{ ok: false, error }`. */
export class EngineError extends Error {
  constructor(
    readonly code: YokeError['code'],
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export function toYokeError(e: unknown): YokeError {
  if (e instanceof EngineError) return { code: e.code, message: e.message, details: e.details };
  const message = e instanceof Error ? e.message : String(e);
  return { code: 'internal', message };
}
