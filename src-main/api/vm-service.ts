// PLACEHOLDER written by the UI engineer so the engine builds before the real module lands;
// the lead owns this file and replaces it.
import type { Engine } from './engine';
import type { Res } from './contract';
import { EngineError } from './errors';

export function listVms(_engine: Engine): Res<'vms.list'> {
  throw new EngineError('unavailable', 'the VM list is not available yet');
}

export function stopVm(_engine: Engine, _id: string, _force: boolean): Res<'vms.stop'> {
  throw new EngineError('unavailable', 'stopping VMs is not available yet');
}
