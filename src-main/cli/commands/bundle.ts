import path from 'node:path';
import { EXIT_OK, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { formatBytes } from '../progress';
import { parseBuildId, refused } from '../shared';

export const bundleCommand: CliCommand = {
  name: 'bundle',
  summary: 'one update file for an appliance several versions behind',
  usage: `Usage: yoke bundle --from BUILD --to BUILD [--out FILE]

  --from BUILD  the build the appliance runs (its version is where the bundle starts)
  --to BUILD    the build to bring it to; every version in between is a step
  --out FILE    where to write it (default: the --to build's updates/ folder)

Each step is a signed update package: the diff the build made against the step before it
(yoke build --diff-from), or its full package. Drop the bundle into /data/updates like a package.`,
  options: { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } },
  async run(ctx, args) {
    const fromBuildId = parseBuildId(args.values.from, '--from');
    const toBuildId = parseBuildId(args.values.to, '--to');
    if (fromBuildId === undefined || toBuildId === undefined) throw new UsageError('--from and --to are both required: build numbers');
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      let r;
      try {
        r = await engine.request('updates.bundle', { fromBuildId, toBuildId, ...(args.values.out ? { out: path.resolve(String(args.values.out)) } : {}) });
      } catch (e) {
        return refused(ctx, 'bundle', e);
      }
      if (ctx.json) ctx.out(JSON.stringify(r) + '\n');
      else {
        ctx.out(`${r.path} (${formatBytes(r.bytes)}), ${r.steps.length} steps:\n`);
        for (const s of r.steps) ctx.out(`  #${s.buildId} ${s.version}  ${s.kind}  ${formatBytes(s.bytes)}\n`);
      }
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};
