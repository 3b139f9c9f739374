// The check-kind registry: the one list the spec schema, the loader's rules, the check runner,
// the wizard and the contract's checks.kinds read. A new kind is a new file here and a line below.
import { command } from './command';
import { file } from './file';
import { httpKind } from './http';
import type { CheckKind, WizardField, WizardFields } from './kind';
import { mount } from './mount';
import { port } from './port';
import { service } from './service';

/** In the order the spec lists them in messages and editors. */
export const CHECK_KIND_LIST = [service, port, httpKind, mount, file, command] as const;

type Registered = (typeof CHECK_KIND_LIST)[number];
/** The typed part of a check that depends on its kind (spec/types.ts adds name, timeout, line). */
export type KindCheck = ReturnType<Registered['normalize']>['check'];
export type CheckKindName = Registered['kind'];

export const CHECK_KINDS: readonly CheckKindName[] = CHECK_KIND_LIST.map((k) => k.kind);

// The registry stores kinds of different types; callers hand each one only what it made.
export type AnyCheckKind = CheckKind<string, any, any>;

export function checkKind(name: string): AnyCheckKind | undefined {
  return (CHECK_KIND_LIST as readonly AnyCheckKind[]).find((k) => k.kind === name);
}

export const allCheckKinds = (): readonly AnyCheckKind[] => CHECK_KIND_LIST as readonly AnyCheckKind[];

/** What the wizard's check editor draws, per kind (the contract's checks.kinds answer). */
export function checkKindsInfo(): { kind: string; label: string; fields: (WizardField & { example?: string })[] }[] {
  return allCheckKinds().map((k) => ({ kind: k.kind, label: k.label, fields: k.fields.map((f) => ({ ...f, ...(k.example[f.name] !== undefined ? { example: String(k.example[f.name]) } : {}) })) }));
}

/** Why a wizard check cannot be written (unknown kind, unknown or missing field, a number that is not one), or null. */
export function wizardCheckProblem(c: { kind: string; fields: WizardFields }): string | null {
  const k = checkKind(c.kind);
  if (!k) return `unknown check kind '${c.kind}'; the kinds are ${CHECK_KINDS.join(', ')}`;
  const names = k.fields.map((f) => f.name);
  const unknown = Object.keys(c.fields).filter((n) => !names.includes(n));
  if (unknown.length) return `a ${k.kind} check has no field ${unknown.map((n) => `'${n}'`).join(', ')}; its fields are ${names.join(', ')}`;
  for (const f of k.fields) {
    const v = c.fields[f.name];
    const blank = v === undefined || String(v).trim() === '';
    if (blank && f.required) return `a ${k.kind} check needs ${f.label.toLowerCase()} (${f.name})`;
    if (!blank && f.type === 'number' && !Number.isFinite(Number(v))) return `${f.label} (${f.name}) of a ${k.kind} check must be a number, found '${String(v)}'`;
  }
  return null;
}
