import fs from 'node:fs';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliCommand } from '../types';
import { formatFinding, lintOva } from '../../build/ova-lint';

export const lintOvaCommand: CliCommand = {
  name: 'lint-ova',
  summary: 'check an OVA against the rules VirtualBox and VMware apply on import',
  usage: `Usage: yoke lint-ova FILE

  FILE   the .ova to check

Checks member order, the manifest (format and digests), the descriptor (well-formed, valid
against the DMTF OVF 1.0 schema, references, capacities), controllers and network cards each
importer accepts, and vmdks that end at their end-of-stream marker. Each finding names the
importer it would break. Exit status: 0 no findings, 1 findings, 2 usage error.`,
  options: {},
  async run(ctx, args) {
    if (args.positionals.length !== 1) throw new UsageError(`expected one OVA file, got ${args.positionals.length ? args.positionals.join(' ') : 'none'}`);
    const file = args.positionals[0];
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch {
      throw new UsageError(`${file} does not exist (give the path of an .ova file)`);
    }
    if (!st.isFile()) throw new UsageError(`${file} is not a file (give the path of an .ova file)`);
    const findings = await lintOva(file);
    if (ctx.json) ctx.out(JSON.stringify({ file, findings }) + '\n');
    else if (findings.length === 0) ctx.out(`${file}: no findings (VirtualBox and VMware rules)\n`);
    else {
      for (const f of findings) ctx.out(`${formatFinding(f)}\n`);
      ctx.out(`${file}: ${findings.length} finding${findings.length === 1 ? '' : 's'}\n`);
    }
    return findings.length === 0 ? EXIT_OK : EXIT_FAILED;
  },
};
