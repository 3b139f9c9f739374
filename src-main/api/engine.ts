import type { z } from 'zod';
import { commands, events, isCommandName, type CommandName, type EventName, type EventPayload, type Res, type Result } from './contract';
import { EngineError, toYokeError } from './errors';
import { Jobs } from './jobs';
import { createHandlers } from './handlers';
import type { Store } from '../store/store';
import { openStore } from '../store/store';
import { reapOnce, stopAll } from './vm-service';
import { unwatchAll } from './watch';
import { sweepDeadBuildWork } from '../build/sweep';

export type Face = 'electron' | 'web' | 'cli';

export interface EngineOptions {
  home: string;
  face: Face;
  /** A native folder picker (Electron); other faces have none and the UI asks for a path. */
  pickFolder?: () => Promise<string | null>;
}

export type Handler<C extends CommandName> = (
  request: z.output<(typeof commands)[C]['request']>,
) => Promise<Res<C>> | Res<C>;
export type Handlers = { [C in CommandName]: Handler<C> };
export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * The engine behind every face. Faces call `call()` with untrusted input and get a result
 * envelope back; they subscribe to events with `on()`.
 */
export class Engine {
  readonly jobs: Jobs;
  private readonly listeners = new Set<EventListener>();
  private readonly handlers: Handlers;
  private storeInstance: Store | null = null;

  constructor(readonly options: EngineOptions) {
    this.jobs = new Jobs((event, payload) => this.emit(event, payload));
    this.handlers = createHandlers(this);
    // A long-lived face (window, serve) reaps VMs a killed Yoke left behind as it starts;
    // CLI commands do it before their first boot.
    if (options.face !== 'cli') setImmediate(() => void reapOnce(this).catch(() => undefined));
    void sweepDeadBuildWork(options.home).catch(() => undefined); // work folders of a killed Yoke
  }

  get home(): string {
    return this.options.home;
  }

  /** Opened on first use so commands that need no database (validate) never create one. */
  store(): Store {
    this.storeInstance ??= openStore(this.options.home);
    return this.storeInstance;
  }

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    if (process.env.YOKE_DEBUG_EVENTS) events[event].parse(payload);
    for (const l of this.listeners) {
      try {
        l(event, payload);
      } catch {
        // one broken face must not stop the others from hearing the event
      }
    }
  }

  async call<C extends CommandName>(command: C | string, request: unknown): Promise<Result<Res<C>>> {
    if (!isCommandName(command)) {
      return { ok: false, error: { code: 'invalid-request', message: `unknown command '${String(command)}'` } };
    }
    const parsed = commands[command].request.safeParse(request ?? {});
    if (!parsed.success) {
      const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'request'}: ${i.message}`).join('; ');
      return { ok: false, error: { code: 'invalid-request', message: `${command}: ${message}` } };
    }
    try {
      const handler = this.handlers[command] as (r: unknown) => Promise<Res<C>> | Res<C>;
      return { ok: true, value: await handler(parsed.data) };
    } catch (e) {
      return { ok: false, error: toYokeError(e) };
    }
  }

  /** Like call(), but throws the EngineError; for the CLI and tests. */
  async request<C extends CommandName>(command: C, request: unknown): Promise<Res<C>> {
    const r = await this.call(command, request);
    if (!r.ok) throw new EngineError(r.error.code, r.error.message, r.error.details);
    return r.value;
  }

  async close(): Promise<void> {
    unwatchAll(this);
    await this.jobs.cancelAll();
    await stopAll(this);
    this.storeInstance?.close();
    this.storeInstance = null;
  }
}
