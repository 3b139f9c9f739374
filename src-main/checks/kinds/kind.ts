// What one check kind is: everything Yoke knows about it in one object, so adding a kind is
// one new file in this folder (plus its test) and a line in index.ts. The spec schema, the
// loader's rules, the check runner and the wizard all read these objects; none of them
// switches on the kind.
import type { z } from 'zod';
import type { RunResult } from '../../vm/control';

export interface ProbeOutcome {
  ok: boolean;
  /** What was seen: the success message, or the failure's evidence. */
  detail: string;
  /** A failure that no retry can fix (a configuration error). */
  final?: boolean;
}

/** What a probe may do with the VM under test: the whole surface, so a probe is testable with a fake. */
export interface ProbeTarget {
  /** Runs a shell command line in the guest over the control channel. */
  run(cmd: string): Promise<RunResult>;
  /** The host port a guest TCP port is forwarded to, if it is. */
  hostPort(guest: number): number | undefined;
  /** The `run` line of a service of the spec, by name. */
  serviceRun(name: string): string | undefined;
  /** Which try this is, from 0. */
  attempt: number;
}

/** What an in-guest script needs from the rest of the spec. */
export interface GuestFacts {
  /** The `run` line of a service of the spec, by name. */
  serviceRun(name: string): string | undefined;
}

/** One input of the wizard's check editor; the renderer draws fields from these (via the contract's checks.kinds). */
export interface WizardField {
  name: string;
  label: string;
  type: 'text' | 'number';
  required: boolean;
}

export type WizardFields = Record<string, string | number>;

/** Facts of the whole spec that a kind's cross-key rules need. */
export interface SpecFacts {
  serviceNames: string[];
  /** Valid guest ports in network.forward. */
  guestPorts: Set<number>;
}

/** A problem found by a kind's cross-key rule; `path` is relative to the kind's key in the check. */
export interface KindFinding {
  path: (string | number)[];
  message: string;
}

export interface CheckKind<K extends string = string, Raw = unknown, C extends { kind: K } = { kind: K }> {
  kind: K;
  /** The value under the kind's key in appliance.yaml, long and short forms (its .meta title shows in editors). */
  schema: z.ZodType<Raw>;
  /** The typed check and its default name ("port 80"). */
  normalize(raw: Raw): { name: string; check: C };
  probe(check: C, target: ProbeTarget): Promise<ProbeOutcome>;
  /**
   * The same check as a shell script run inside the appliance by its busybox (upgrade.commit-checks:
   * an update on trial commits only when every check passes there): exit 0 when it passes, else
   * print why and exit non-zero. `http` asks 127.0.0.1 in the guest, not the host's forward.
   */
  inGuest(check: C, facts: GuestFacts): string;
  /** Backoff cap between tries: guest commands queue on one channel, HTTP tries already cost their own timeout. */
  retry: 'guest' | 'http';
  /** The wizard's label for the kind, and its fields. */
  label: string;
  fields: WizardField[];
  /** Fields of a typical check of this kind, for the wizard's placeholders and the registry's round-trip test (needs a service 'web' and a forward of guest port 80). */
  example: WizardFields;
  /** The YAML value the wizard writes after "- KIND:" (a scalar for the short form, a mapping for the long). */
  wizardValue(fields: WizardFields): string | number | Record<string, string | number>;
  /** Rules between this check and the rest of the spec (a named service exists, a port is forwarded). */
  crossCheck?(value: unknown, facts: SpecFacts): KindFinding[];
}

export function defineKind<K extends string, Raw, C extends { kind: K }>(k: CheckKind<K, Raw, C>): CheckKind<K, Raw, C> {
  return k;
}

/** A field's value as text, or undefined when it is absent or blank. */
export function textField(f: WizardFields, name: string): string | undefined {
  const v = f[name];
  return v === undefined || v === '' ? undefined : String(v);
}

export function numberField(f: WizardFields, name: string): number | undefined {
  const v = f[name];
  return v === undefined || v === '' ? undefined : Number(v);
}

/** Keeps optional keys out of an object when their value is absent. */
export function opt<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V };
}
