import { OUTPUT_FORMATS } from '../../build/formats';
import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { formatBytes, formatMs } from '../progress';
import { runJob } from '../job';
import { appliancePositional, buildJson, parseBuildId, refused } from '../shared';
import { printable } from '../printable';

export const buildCommand: CliCommand = {
  name: 'build',
  summary: 'build an appliance into bootable disks, exports and an OVA',
  usage: `Usage: yoke build [DIR] [--flavour NAME] [--output LIST] [--no-cache] [--refresh] [--strict] [--verbose]

  DIR              appliance folder holding appliance.yaml (default: current folder)
  --flavour NAME   build only this flavour's data disk
  --output LIST    comma-separated outputs: ${OUTPUT_FORMATS.join(',')} (default: the spec's outputs)
  --no-cache       rebuild every stage (the cache is neither read nor written)
  --refresh        a Debian base: resolve base.packages again and rewrite appliance.lock
  --strict         fail when the hygiene scan finds leaks (shell history, keys, .git)
  --diff-from ID   make the diff update package against this older build (default: the previous build)
  --verbose        print every log line

Always makes a new build (stages whose inputs did not change come from the cache), so scripts
get a fresh build id; the window's Build instead reuses the last build when nothing changed.`,
  options: {
    flavour: { type: 'string' },
    output: { type: 'string' },
    'no-cache': { type: 'boolean' },
    refresh: { type: 'boolean' },
    strict: { type: 'boolean' },
    'diff-from': { type: 'string' },
    verbose: { type: 'boolean', short: 'v' },
  },
  async run(ctx, args) {
    const dir = appliancePositional(args);
    const diffFrom = parseBuildId(args.values['diff-from'], '--diff-from');
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      let buildId = 0;
      let outcome;
      try {
        outcome = await runJob(
          engine,
          ctx,
          async () => {
            const r = await engine.request('build.start', {
              dir,
              flavour: args.values.flavour as string | undefined,
              outputs: args.values.output ? String(args.values.output).split(',').map((s) => s.trim()).filter(Boolean) : undefined,
              noCache: Boolean(args.values['no-cache']),
              ...(args.values.refresh ? { refresh: true } : {}),
              strict: Boolean(args.values.strict),
              ...(diffFrom !== undefined ? { diffFrom } : {}),
            });
            buildId = r.buildId;
            return r;
          },
          { verbose: Boolean(args.values.verbose) },
        );
      } catch (e) {
        return refused(ctx, 'build', e);
      }
      const build = await engine.request('builds.get', { id: buildId });
      if (ctx.json) {
        ctx.out(JSON.stringify({ build: buildJson(build) }) + '\n');
      } else if (outcome.status === 'succeeded') {
        ctx.err(`build #${build.id} ${build.appliance} ${build.version}: succeeded in ${formatMs(build.durationMs ?? 0)}\n`);
        // The disk column names what a disk-less artifact is: the OVA, an update package, the update medium.
        for (const a of build.artifacts) ctx.out(`  ${a.format.padEnd(6)} ${(a.disk ?? (a.kind && a.kind !== 'disk' && a.kind !== 'ova' ? a.kind : '')).padEnd(13)} ${formatBytes(a.bytes).padStart(10)}  ${a.path}\n`);
      }
      if (outcome.status !== 'succeeded') {
        ctx.err(printable(`build #${build.id} ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}`) + '\n');
        return EXIT_FAILED;
      }
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};
