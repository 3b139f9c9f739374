// What long work (build, test, upgrade test, and the jobs that follow) may use of the engine: a
// narrow context instead of the Engine itself, so jobs never import the api layer above them.
import type { Store } from '../store/store';
import type { Emit, EventListener } from './events';
import type { Jobs } from './jobs';
import type { Machines } from './machines';

export type { Emit, EventListener } from './events';

export interface JobContext {
  readonly home: string;
  /** Opened on first use, so work that needs no database never creates one. */
  store(): Store;
  emit: Emit;
  on(listener: EventListener): () => void;
  readonly jobs: Jobs;
  readonly machines: Machines;
}
