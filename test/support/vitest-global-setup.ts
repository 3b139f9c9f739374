import { ensureBuilt } from './ensure-built';

export function setup(): void {
  ensureBuilt();
}
