// PLACEHOLDER written by the UI engineer so the engine builds before the real module lands;
// the lead owns this file and replaces it.
import type { Engine } from './engine';
import type { Req, Res } from './contract';
import { EngineError } from './errors';

export function startTestJob(_engine: Engine, _req: Req<'test.start'>): Res<'test.start'> {
  throw new EngineError('unavailable', 'testing from this face is not available yet; use `yoke test DIR`');
}
