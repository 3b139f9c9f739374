import { EXIT_OK, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { refused } from '../shared';

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
      let b;
      try {
        await engine.request('builds.release', { id, released });
        b = await engine.request('builds.links', { id });
      } catch (e) {
        return refused(ctx, 'release', e);
      }
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
