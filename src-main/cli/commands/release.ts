import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { EngineError } from '../../api/errors';
import { buildLinks } from '../../upgrade/history';

function parseId(positionals: string[]): number {
  if (positionals.length !== 1) throw new UsageError(`expected one build number, got ${positionals.length ? positionals.join(' ') : 'none'}`);
  const n = Number(positionals[0].replace(/^#/, ''));
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`expected a build number, got '${positionals[0]}'`);
  return n;
}

export const releaseCommand: CliCommand = {
  name: 'release',
  summary: 'mark a build released (or not, with --undo)',
  usage: `Usage: yoke release BUILD [--undo]

  BUILD    build number (as printed by yoke build)
  --undo   mark the build unreleased again`,
  options: { undo: { type: 'boolean' } },
  async run(ctx, args) {
    const id = parseId(args.positionals);
    const released = !args.values.undo;
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      try {
        await engine.request('builds.release', { id, released });
      } catch (e) {
        if (!(e instanceof EngineError)) throw e;
        ctx.err(`yoke release: ${e.message}\n`);
        if (ctx.json) ctx.out(JSON.stringify({ error: { code: e.code, message: e.message } }) + '\n');
        return e.code === 'internal' ? EXIT_FAILED : EXIT_USAGE;
      }
      const b = buildLinks(engine.store(), id);
      if (ctx.json) ctx.out(JSON.stringify({ build: b }) + '\n');
      else {
        const family = [b.parentId ? `parent #${b.parentId}` : 'no parent', b.children.length ? `children ${b.children.map((c) => `#${c}`).join(', ')}` : 'no children'];
        ctx.out(`build #${b.id} ${b.appliance} ${b.version}: ${b.released ? 'released' : 'not released'} (${family.join('; ')})\n`);
      }
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};
