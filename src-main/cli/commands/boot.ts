import path from 'node:path';
import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { runJob } from '../job';
import { appliancePositional, parseBuildId, refused } from '../shared';
import { untilVmGone } from './vm-wait';

const DETACH = 0x1d; // Ctrl-]

export const bootCommand: CliCommand = {
  name: 'boot',
  summary: 'boot a build with its serial console on this terminal and its ports forwarded',
  usage: `Usage: yoke boot [DIR | --build ID] [--snapshot] [--data FILE] [--medium FILE]

  DIR          appliance folder (default: current folder); builds it first (cached stages are reused)
  --build ID   boot this build
  --snapshot   discard every write when the VM stops (a throwaway demo run)
  --data FILE  boot on a copy of this data disk (raw, qcow2, vmdk, vhd, vdi, or a tar(.zst) of the data)
  --medium FILE  attach an update medium (a build's updates/NAME-VERSION.update.vmdk) as a third disk,
               as a customer would: the appliance installs it and reboots into it on trial (on a
               copy of the OS disk; the file is never written)

Ctrl-] powers the VM off (ACPI) and exits; pressing it twice pulls the plug.`,
  options: { build: { type: 'string' }, snapshot: { type: 'boolean' }, data: { type: 'string' }, medium: { type: 'string' } },
  async run(ctx, args) {
    let buildId = parseBuildId(args.values.build);
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      if (buildId === undefined) {
        const dir = appliancePositional(args);
        let prepared;
        try {
          prepared = await engine.request('boot.prepare', { dir });
        } catch (e) {
          return refused(ctx, 'boot', e);
        }
        if ('jobId' in prepared) {
          const outcome = await runJob(engine, ctx, async () => prepared);
          if (outcome.status !== 'succeeded') {
            ctx.err(`build ${outcome.status}${outcome.error ? `: ${outcome.error}` : ''}\n`);
            return EXIT_FAILED;
          }
        }
        buildId = prepared.buildId;
      }
      let vmId: string;
      try {
        const files = { ...(args.values.data ? { data: path.resolve(String(args.values.data)) } : {}), ...(args.values.medium ? { medium: path.resolve(String(args.values.medium)) } : {}) };
        vmId = (await engine.request('vms.boot', { buildId, snapshot: Boolean(args.values.snapshot), ...files })).vmId;
      } catch (e) {
        return refused(ctx, 'boot', e);
      }
      const vm = (await engine.request('vms.list', {})).find((v) => v.id === vmId);
      ctx.err(`VM ${vmId}: ${vm?.appliance} ${vm?.version} (build #${buildId}, ${vm?.accel})${args.values.snapshot ? ', snapshot: writes are discarded' : ''}\n`);
      for (const f of vm?.forwards ?? []) ctx.err(`  guest port ${f.guest} -> http://127.0.0.1:${f.host}/\n`);
      ctx.err('  Ctrl-] to power off\n\n');
      // The console streams as vm.console events, acknowledged as soon as they are written.
      const off = engine.on((event, payload) => {
        if (event !== 'vm.console') return;
        const p = payload as { id: string; data: string };
        if (p.id !== vmId) return;
        process.stdout.write(p.data);
        void engine.call('vms.ack', { id: vmId, chars: p.data.length });
      });
      const { backlog } = await engine.request('vms.attach', { id: vmId });
      process.stdout.write(backlog);
      const stdin = process.stdin;
      let presses = 0;
      const onKey = (buf: Buffer) => {
        if (buf.includes(DETACH)) {
          presses++;
          ctx.err('\r\n[yoke] powering off…\r\n');
          void engine.call('vms.stop', { id: vmId, force: presses > 1 });
          return;
        }
        void engine.call('vms.input', { id: vmId, data: buf.toString('utf8') });
      };
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.on('data', onKey);
      stdin.resume();
      try {
        await untilVmGone(engine, vmId, { stopOnSignal: true });
      } finally {
        off();
        stdin.off('data', onKey);
        if (stdin.isTTY) stdin.setRawMode(false);
        stdin.pause();
      }
      ctx.err('\n[yoke] VM stopped\n');
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};
