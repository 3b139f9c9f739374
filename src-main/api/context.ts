// What the handlers may use of the engine. The engine implements it; handlers import only this
// interface, never the Engine class, so engine → handlers is the only way the two are linked.
import type { z } from 'zod';
import type { commands, CommandName, Res } from './contract';
import type { JobContext } from '../jobs/context';

export type Face = 'electron' | 'web' | 'cli';

export interface ApiContext extends JobContext {
  readonly face: Face;
  /** A native folder picker (Electron); other faces have none and the UI asks for a path. */
  readonly pickFolder?: () => Promise<string | null>;
  /** Opens a file at a line for the person at the desktop (Electron); other faces have none. */
  readonly openFileAt?: (file: string, line: number) => Promise<Res<'appliance.openSpec'>>;
}

export type Handler<C extends CommandName> = (
  request: z.output<(typeof commands)[C]['request']>,
) => Promise<Res<C>> | Res<C>;
export type Handlers = { [C in CommandName]: Handler<C> };
