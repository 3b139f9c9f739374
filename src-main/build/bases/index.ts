import { EngineError } from '../../api/errors';
import type { Base } from './base';
import { busyboxBase } from './busybox';
import { debianBase } from './debian';

export type { Base } from './base';

/** Every base Yoke can build, by the spec's `base.userland` value. */
export const BASES: readonly Base[] = [busyboxBase, debianBase];

export function baseFor(userland: string): Base {
  const b = BASES.find((x) => x.userland === userland);
  if (!b) throw new EngineError('spec', `base.userland: ${userland} is not a base Yoke can build (known: ${BASES.map((x) => x.userland).join(', ')}).`);
  return b;
}
