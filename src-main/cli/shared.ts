import path from 'node:path';
import type { BuildDetail } from '../api/contract';
import { EngineError } from '../api/errors';
import { EXIT_FAILED, EXIT_USAGE, UsageError, type CliArgs, type CliContext } from './types';
import { printable } from './printable';

/** The optional DIR positional shared by build/test/boot/validate: defaults to the current folder. */
export function appliancePositional(args: CliArgs): string {
  if (args.positionals.length > 1) throw new UsageError(`expected at most one appliance folder, got ${args.positionals.length}: ${args.positionals.join(' ')}`);
  return path.resolve(args.positionals[0] ?? '.');
}

export function parseBuildId(v: unknown, flag = '--build'): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(String(v).replace(/^#/, ''));
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} expects a build number, got '${String(v)}'`);
  return n;
}

/** The `build` object of --json output, shaped as documented in the README. */
export function buildJson(b: BuildDetail) {
  return {
    id: b.id,
    appliance: b.appliance,
    version: b.version,
    status: b.status,
    testStatus: b.testStatus,
    durationMs: b.durationMs,
    ...(b.error ? { error: b.error } : {}),
    artifacts: b.artifacts.map((a) => ({
      format: a.format,
      ...(a.disk ? { disk: a.disk } : {}),
      ...(a.kind ? { kind: a.kind } : {}),
      path: a.path,
      bytes: a.bytes,
      sha256: a.sha256,
    })),
  };
}

/**
 * An engine request refused before any work started: spec errors and bad requests are usage
 * errors (exit 2), anything else a failure (exit 1). Prints it, and as JSON with --json.
 */
export function refused(ctx: CliContext, command: string, e: unknown): number {
  if (!(e instanceof EngineError)) throw e;
  const usage = e.code === 'spec' || e.code === 'invalid-request' || e.code === 'not-found';
  ctx.err(printable(e.code === 'spec' ? e.message : `yoke ${command}: ${e.message}`) + '\n');
  if (ctx.json) {
    const problems = e.code === 'spec' ? (e.details as { problems?: unknown } | undefined)?.problems : undefined;
    ctx.out(JSON.stringify({ error: { code: e.code, message: e.message, ...(problems ? { problems } : {}) } }) + '\n');
  }
  return usage ? EXIT_USAGE : EXIT_FAILED;
}

/** --firmware: bios (the default) or uefi. */
export function parseFirmware(v: unknown): 'bios' | 'uefi' {
  const f = String(v ?? 'bios');
  if (f !== 'bios' && f !== 'uefi') throw new UsageError(`--firmware must be bios or uefi, got '${f}'`);
  return f;
}
