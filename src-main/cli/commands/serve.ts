import { EXIT_OK, UsageError, type CliCommand } from '../types';
import { startServer } from '../../web/server';
import { openBrowserPrivately } from '../../tools/open-browser';

function parsePort(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got '${text}'`);
  return Number(text);
}

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'serve the Yoke UI to a browser on this machine (127.0.0.1 only)',
  usage: [
    'Usage: yoke serve [--port N] [--open]',
    '',
    'Serves the desktop UI on http://127.0.0.1 behind a random access token. Open the',
    'printed URL (it carries the token); other pages and other machines cannot connect.',
    '',
    `  --port N     port to listen on (default 7420, or a free one when taken; 0 = any free port)`,
    '  --open       open the URL in the default browser',
  ].join('\n'),
  options: {
    port: { type: 'string' },
    open: { type: 'boolean' },
  },
  async run(ctx, args) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    const port = parsePort(args.values.port);
    const server = await startServer({ home: ctx.home, port });
    // The URL is the first line on stdout so scripts and tests can read it.
    ctx.out(ctx.json ? `${JSON.stringify({ url: server.url })}\n` : `Yoke is serving on ${server.url}\n`);
    ctx.err(`Data directory: ${ctx.home}\nPress Ctrl+C to stop.\n`);
    if (args.values.open) {
      // Its own one-time token, through a private page: the printed URL stays usable, and the
      // browser's argv (visible in `ps`) carries no token.
      const problem = await openBrowserPrivately(server.loginUrl(120_000));
      if (problem) ctx.err(`Could not open a browser (${problem}); open the URL above yourself.\n`);
    }
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    ctx.err('Stopping…\n');
    await server.close();
    return EXIT_OK;
  },
};
