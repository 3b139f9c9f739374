import path from 'node:path';
import { EXIT_OK, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { formatBytes } from '../progress';
import { parseBuildId, refused } from '../shared';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'write a build (artifacts, checks, logs, runs) to one file, for another data directory',
  usage: `Usage: yoke export BUILD FILE

  BUILD   build number
  FILE    the archive to write (a tar; import it elsewhere with yoke import FILE)`,
  options: {},
  async run(ctx, args) {
    if (args.positionals.length !== 2) throw new UsageError(`expected BUILD and FILE, got ${args.positionals.join(' ') || 'nothing'}`);
    const id = parseBuildId(args.positionals[0], 'BUILD')!;
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      const file = path.resolve(args.positionals[1]);
      let r;
      try {
        r = await engine.request('builds.export', { id, file });
      } catch (e) {
        return refused(ctx, 'export', e);
      }
      if (ctx.json) ctx.out(JSON.stringify({ export: { id, file, ...r } }) + '\n');
      else ctx.out(`build #${id} → ${file} (${formatBytes(r.bytes)}, ${r.files} files)\n`);
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};

export const importCommand: CliCommand = {
  name: 'import',
  summary: 'add a build exported elsewhere (a CI runner) to this data directory',
  usage: `Usage: yoke import FILE

  FILE    an archive written by yoke export; every file's SHA-256 is checked before anything is
          added (all or nothing). A released build arrives released: it joins the Upgrades matrix.`,
  options: {},
  async run(ctx, args) {
    if (args.positionals.length !== 1) throw new UsageError(`expected one FILE, got ${args.positionals.join(' ') || 'nothing'}`);
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      let b;
      try {
        b = await engine.request('builds.import', { file: path.resolve(args.positionals[0]) });
      } catch (e) {
        return refused(ctx, 'import', e);
      }
      if (ctx.json) ctx.out(JSON.stringify({ build: b }) + '\n');
      else ctx.out(`imported as build #${b.id}: ${b.appliance} ${b.version}${b.released ? ' (released)' : ''}, test ${b.testStatus}\n`);
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};
