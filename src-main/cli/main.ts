import { parseArgs } from 'node:util';
import { EXIT_USAGE, UsageError, type CliCommand, type CliContext } from './types';
import { cliCommands } from './registry';
import { resolveHome } from '../util/home';
import { printable } from './printable';

const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  home: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function globalHelp(): string {
  const width = Math.max(...cliCommands.map((c) => c.name.length));
  const lines = cliCommands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'yoke — build, boot and test virtual appliances',
    '',
    'Usage: yoke <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options for every command:',
    '  --home DIR   data directory (default: $YOKE_HOME, else the platform user-data folder)',
    '  --json       print one JSON document on stdout; progress goes to stderr',
    '  -h, --help   show help for a command',
    '',
    'Exit status: 0 ok, 1 a build or test failed, 2 usage or spec error.',
    '',
  ].join('\n');
}

function commandHelp(cmd: CliCommand): string {
  return `${cmd.usage.trimEnd()}\n\n  --home DIR   data directory\n  --json       machine-readable output\n`;
}

export async function runCli(argv: string[], io: Pick<CliContext, 'out' | 'err' | 'tty'>): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? io.out : io.err)(globalHelp());
    return name ? 0 : EXIT_USAGE;
  }
  if (name === '--version' || name === '-v') {
    io.out('0.1.0\n');
    return 0;
  }
  const cmd = cliCommands.find((c) => c.name === name);
  if (!cmd) {
    io.err(`yoke: unknown command '${name}'. Run 'yoke --help' for the list.\n`);
    return EXIT_USAGE;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...cmd.options, ...COMMON_OPTIONS }, allowPositionals: true, strict: true });
  } catch (e) {
    io.err(`yoke ${cmd.name}: ${(e as Error).message}\n\n${commandHelp(cmd)}`);
    return EXIT_USAGE;
  }
  if (parsed.values.help) {
    io.out(commandHelp(cmd));
    return 0;
  }
  const ctx: CliContext = {
    home: resolveHome(parsed.values.home as string | undefined),
    json: Boolean(parsed.values.json),
    ...io,
  };
  try {
    return await cmd.run(ctx, { values: parsed.values as never, positionals: parsed.positionals });
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`yoke ${cmd.name}: ${e.message}\n\n${commandHelp(cmd)}`);
      return EXIT_USAGE;
    }
    // Anything else is a failure with a message, never a stack trace (set YOKE_DEBUG for one).
    io.err(`yoke ${cmd.name}: ${printable((e as Error).message ?? String(e))}\n`);
    if (process.env.YOKE_DEBUG) io.err(`${(e as Error).stack}\n`);
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
}

if (require.main === module) {
  const write = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text);
  runCli(process.argv.slice(2), { out: write(process.stdout), err: write(process.stderr), tty: Boolean(process.stderr.isTTY) }).then(
    (code) => {
      // Let pending writes drain before exiting (a large --json document on a pipe).
      process.exitCode = code;
      if (!process.env.YOKE_KEEP_ALIVE) setImmediate(() => process.exit(code));
    },
  );
}
