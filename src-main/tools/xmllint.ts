import { runTool } from './run';

export interface SchemaError {
  line: number;
  message: string;
}

export function xmllintSchemaArgs(schema: string, file: string): string[] {
  return ['--noout', '--nonet', '--schema', schema, file];
}

/**
 * xmllint prints one `FILE:LINE: … : MESSAGE` line per problem. Its exit codes: 0 valid, 1 not
 * well-formed, 3/4 invalid against the schema (or the schema unusable, 5).
 */
export function parseXmllintErrors(stderr: string): SchemaError[] {
  const out: SchemaError[] = [];
  for (const raw of stderr.split('\n')) {
    const m = /^[^:]*:(\d+):\s*(.*)$/.exec(raw.trim());
    if (!m) continue;
    out.push({ line: Number(m[1]), message: m[2].replace(/^(element|parser error) ?[^:]*:\s*(Schemas validity error\s*:\s*)?/i, '').trim() || m[2] });
  }
  return out;
}

/** Validates `file` against an XML schema; [] when valid. */
export async function xmllintValidate(schema: string, file: string, opts: { signal?: AbortSignal } = {}): Promise<SchemaError[]> {
  const r = await runTool({ tool: 'xmllint', aptPackage: 'libxml2-utils', argv: xmllintSchemaArgs(schema, file), signal: opts.signal, timeoutMs: 60_000, okExitCodes: [0, 1, 3, 4] });
  if (r.exitCode === 0) return [];
  const errors = parseXmllintErrors(r.stderr);
  return errors.length > 0 ? errors : [{ line: 0, message: r.stderr.trim() || `xmllint exit code ${r.exitCode}` }];
}
