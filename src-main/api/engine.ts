import type { z } from 'zod';
import { commands, events, isCommandName, type CommandName, type EventName, type EventPayload, type Res, type Result } from './contract';
import { EngineError, toYokeError } from './errors';
import type { ApiContext, Face, Handlers } from './context';
import { createHandlers } from './handlers';
import { Jobs } from '../jobs/jobs';
import { Machines } from '../jobs/machines';
import type { EventListener } from '../jobs/events';
import { sweepInterrupted } from '../jobs/interrupted';
import type { Store } from '../store/store';
import { openStore } from '../store/store';
import { unwatchAll } from './watch';
import { sweepDeadBuildWork } from '../build/sweep';

export type { Face, Handler, Handlers } from './context';

export interface EngineOptions {
  home: string;
  face: Face;
  /** A native folder picker (Electron); other faces have none and the UI asks for a path. */
  pickFolder?: () => Promise<string | null>;
  /** Opens a file at a line in the user's editor, or shows it in its folder (Electron). */
  openFileAt?: ApiContext['openFileAt'];
}


/**
 * The engine behind every face. Faces call `call()` with untrusted input and get a result
 * envelope back; they subscribe to events with `on()`.
 */
export class Engine implements ApiContext {
  readonly jobs: Jobs;
  readonly machines: Machines;
  private readonly listeners = new Set<EventListener>();
  private readonly handlers: Handlers;
  private storeInstance: Store | null = null;

  constructor(readonly options: EngineOptions) {
    this.jobs = new Jobs((event, payload) => this.emit(event, payload));
    this.machines = new Machines(this);
    this.handlers = createHandlers(this);
    // A long-lived face (window, serve) reaps VMs a killed Yoke left behind as it starts;
    // CLI commands do it before their first boot.
    if (options.face !== 'cli') setImmediate(() => void this.machines.reapOnce().catch(() => undefined));
    void sweepDeadBuildWork(options.home).catch(() => undefined); // work folders of a killed Yoke
  }

  get home(): string {
    return this.options.home;
  }

  get face(): Face {
    return this.options.face;
  }

  get pickFolder(): (() => Promise<string | null>) | undefined {
    return this.options.pickFolder;
  }

  get openFileAt(): ApiContext['openFileAt'] {
    return this.options.openFileAt;
  }

  /**
   * Opened on first use so commands that need no database (validate) never create one. Opening
   * it marks builds and runs whose process died as interrupted, and removes what they half wrote.
   */
  store(): Store {
    if (!this.storeInstance) {
      const store = openStore(this.options.home);
      this.storeInstance = store;
      const swept = sweepInterrupted(this.options.home, store);
      for (const id of swept.builds) this.emit('builds.changed', { id });
    }
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
  async request<C extends CommandName>(command: C, request: z.input<(typeof commands)[C]['request']>): Promise<Res<C>> {
    const r = await this.call(command, request);
    if (!r.ok) throw new EngineError(r.error.code, r.error.message, r.error.details);
    return r.value;
  }

  async close(): Promise<void> {
    unwatchAll(this);
    await this.jobs.cancelAll();
    await this.machines.stopAll();
    this.storeInstance?.close();
    this.storeInstance = null;
  }
}
