// The zod building blocks every part of the appliance schema shares (spec/schema.ts and each
// check kind in checks/kinds/): one wording for type errors, so every message reads alike.
import { z } from 'zod';
import { describeValue } from './describe';

type RawIssue = { input?: unknown };
/** "expected WHAT, found X": the message of every type error in the spec. */
export const expected = (what: string) => ({ error: (iss: RawIssue) => `expected ${what}, found ${describeValue(iss.input)}` });
export const why = (f: (input: unknown) => string) => ({ error: (iss: RawIssue) => f(iss.input) });

export const text = (what: string) => z.string(expected(what));
export const port = (title: string) =>
  z
    .int(expected('a TCP port number (1..65535)'))
    .min(1, why((v) => `port must be between 1 and 65535, found ${String(v)}`))
    .max(65535, why((v) => `port must be between 1 and 65535, found ${String(v)}`))
    .meta({ title });
export const guestPath = (what: string) =>
  z.string(expected(what)).regex(/^\//, why((v) => `expected an absolute guest path starting with '/', found ${describeValue(v)}`));

export const strict = <T extends z.ZodRawShape>(what: string, shape: T) => z.strictObject(shape, expected(what));
