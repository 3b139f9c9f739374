// resources/appliance.schema.json is generated from the zod schema, so editors complete and
// check the same rules `yoke validate` applies (minus the cross-key and file-system rules).
import { z } from 'zod';
import { ApplianceSchema, CheckSchema } from './schema';
import { CHECK_KINDS } from '../checks/kinds';

export const SCHEMA_ID = 'https://yoke.dev/schema/appliance.schema.json';

export function applianceJsonSchema(): Record<string, unknown> {
  // draft-07: the draft YAML editor plugins (yaml-language-server) support best.
  const generated = z.toJSONSchema(ApplianceSchema, {
    target: 'draft-07',
    unrepresentable: 'any',
    override: (ctx) => {
      // exactly one kind per check: the loader says so in words, editors need it in the schema
      if (ctx.zodSchema === CheckSchema) ctx.jsonSchema.oneOf = CHECK_KINDS.map((k) => ({ required: [k] }));
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: SCHEMA_ID, ...rest };
}

/** The file's exact text: stable key order, two-space indent, trailing newline. */
export function applianceJsonSchemaText(): string {
  return JSON.stringify(applianceJsonSchema(), null, 2) + '\n';
}
