// `yoke validate [DIR]`: every problem of an appliance spec, compiler style, exit 2 on any.
import path from 'node:path';
import { Engine } from '../../api/engine';
import { formatProblem } from '../../spec/load';
import { appliancePositional } from '../shared';
import { EXIT_OK, EXIT_USAGE, type CliArgs, type CliCommand, type CliContext } from '../types';
import { printable } from '../printable';

export const validateCommand: CliCommand = {
  name: 'validate',
  summary: "check an appliance folder's appliance.yaml and list every problem",
  usage: [
    'yoke validate [DIR]',
    '',
    'Checks DIR/appliance.yaml (DIR defaults to the current folder) without building anything.',
    'Prints each problem as PATH/appliance.yaml:LINE:COL: message on stderr.',
    'Exit status: 0 valid, 2 problems found.',
    '',
    'Options:',
    '  --json   print {"valid", "problems", "appliance"} as one JSON document on stdout',
  ].join('\n'),
  options: {},
  async run(ctx: CliContext, args: CliArgs): Promise<number> {
    const cwd = process.cwd();
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      const r = await engine.request('appliance.validate', { dir: appliancePositional(args) });
      if (ctx.json) {
        const appliance = r.valid && r.name ? { name: r.name, version: r.version } : null;
        ctx.out(JSON.stringify({ valid: r.valid, specFile: r.specFile, problems: r.problems, appliance }) + '\n');
      } else {
        // Spec values (keys, names) appear in the messages: no terminal controls from them.
        for (const p of r.problems) ctx.err(printable(formatProblem(p, cwd)) + '\n');
      }
      if (!r.valid) {
        if (!ctx.json) ctx.err(printable(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'} in ${shown(r.specFile, cwd)}`) + '\n');
        return EXIT_USAGE;
      }
      if (!ctx.json) {
        const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
        ctx.out(`${r.name} ${r.version}: valid (${n(r.services.length, 'service')}, ${n(r.checks, 'check')})\n`);
      }
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};

function shown(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
