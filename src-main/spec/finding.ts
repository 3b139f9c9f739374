import type { SpecPath } from './positions';

/** A problem before it has a line and column: where in the spec, and what is wrong. */
export interface Finding {
  path: SpecPath;
  message: string;
  /** point at the key itself (unknown keys) rather than its value */
  at?: 'key' | 'value';
}
