import type { EventName, EventPayload } from '../api/contract';

/** How jobs and the VM registry tell the faces what happened (the engine fans it out). */
export type Emit = <E extends EventName>(event: E, payload: EventPayload<E>) => void;
export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;
