import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applianceJsonSchema, applianceJsonSchemaText } from '../../../src-main/spec/json-schema';
import { CHECK_KINDS } from '../../../src-main/checks/kinds';

const FILE = path.resolve(__dirname, '../../../resources/appliance.schema.json');

describe('resources/appliance.schema.json', () => {
  it('matches the zod schema (regenerate: UPDATE_SCHEMA=1 npx vitest run test/unit/spec/json-schema.test.ts)', () => {
    const text = applianceJsonSchemaText();
    if (process.env.UPDATE_SCHEMA === '1') fs.writeFileSync(FILE, text);
    expect(fs.readFileSync(FILE, 'utf8')).toBe(text);
  });

  it('lets an editor complete every top-level key, with titles and strict objects', () => {
    const s = applianceJsonSchema() as { properties: Record<string, { title?: string }>; required: string[]; additionalProperties: boolean };
    expect(Object.keys(s.properties)).toEqual(['name', 'version', 'description', 'base', 'rootfs', 'services', 'disks', 'flavours', 'vm', 'network', 'outputs', 'checks', 'upgrade', 'hooks']);
    expect(s.required).toEqual(['name', 'version']);
    expect(s.additionalProperties).toBe(false);
    for (const [k, v] of Object.entries(s.properties)) expect(v.title, k).toBeTruthy();
  });

  it('documents network.outbound (off by default) and the clean data-disk mount point', () => {
    const s = applianceJsonSchema() as { properties: Record<string, { properties: Record<string, Record<string, unknown>> }> };
    expect(s.properties.network.properties.outbound).toMatchObject({ type: 'boolean', default: false, title: 'Outbound network' });
    const data = (s.properties.disks.properties.data as { anyOf: { properties?: Record<string, { pattern?: string }> }[] }).anyOf[0];
    expect(new RegExp(data.properties!.mount.pattern!).test('/data\n/etc')).toBe(false);
  });

  it('asks for exactly one kind per check', () => {
    const checks = (applianceJsonSchema() as { properties: { checks: { items: { oneOf: unknown[] } } } }).properties.checks.items;
    expect(checks.oneOf).toEqual(CHECK_KINDS.map((k) => ({ required: [k] })));
  });
});
