import path from 'node:path';
import { EXIT_OK, UsageError, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { formatBytes } from '../progress';
import { refused } from '../shared';

export const dataCommand: CliCommand = {
  name: 'data',
  summary: "save a running VM's data disk to a file (a backup, or data for another appliance)",
  usage: `Usage: yoke data save VM FILE

  VM     the id of a running VM (the VMs screen, or what yoke boot printed)
  FILE   where to write it; the extension names the format: .raw .img .qcow2 .vmdk .vhd .vdi

The copy is taken while the VM runs (point in time). Give it to another appliance with
yoke test / yoke boot / yoke upgrade-test --data FILE.`,
  options: {},
  async run(ctx, args) {
    const [verb, vm, file] = args.positionals;
    if (verb !== 'save' || !vm || !file || args.positionals.length !== 3) throw new UsageError('expected: data save VM FILE');
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      let r;
      try {
        r = await engine.request('vms.saveData', { id: vm, file: path.resolve(file) });
      } catch (e) {
        return refused(ctx, 'data save', e);
      }
      if (ctx.json) ctx.out(JSON.stringify({ data: r }) + '\n');
      else ctx.out(`VM ${vm}: data disk saved to ${r.file} (${r.format}, ${formatBytes(r.bytes)})\n`);
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};
