import type { ParseArgsConfig } from 'node:util';

// Exit codes are a contract with scripts and CI systems.
export const EXIT_OK = 0;
export const EXIT_FAILED = 1; // a build or test failed
export const EXIT_USAGE = 2; // usage or spec error

export interface CliContext {
  /** Resolved data directory (--home, else YOKE_HOME, else the platform's user-data folder). */
  home: string;
  /** --json was given: print exactly one JSON document on stdout, human progress on stderr. */
  json: boolean;
  /** stderr is a terminal: progress bars allowed. */
  tty: boolean;
  out: (text: string) => void; // stdout, no newline added
  err: (text: string) => void; // stderr, no newline added
}

export interface CliArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
}

export interface CliCommand {
  name: string;
  /** One line for `yoke --help`. */
  summary: string;
  /** Usage line(s) and option descriptions for `yoke NAME --help`. */
  usage: string;
  /** node:util parseArgs options; --json, --home and --help are added by the dispatcher. */
  options: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CliContext, args: CliArgs): Promise<number>;
}

/** Thrown for bad usage; the dispatcher prints the message and the usage, exit 2. */
export class UsageError extends Error {}
