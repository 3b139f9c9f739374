import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { startBuild, upToDateBuild } from '../../api/build-job';
import { requireSpec } from '../../api/spec-gate';
import { EngineError } from '../../api/errors';
import { launchBuildVm } from '../../api/vm-service';
import { followJob } from '../progress';
import { appliancePositional, interruptible } from '../shared';
import { parseBuildId } from './test';

const DETACH = 0x1d; // Ctrl-]

export const bootCommand: CliCommand = {
  name: 'boot',
  summary: 'boot a build with its serial console on this terminal and its ports forwarded',
  usage: `Usage: yoke boot [DIR | --build ID] [--snapshot]

  DIR          appliance folder (default: current folder); builds it first (cached stages are reused)
  --build ID   boot this build
  --snapshot   discard every write when the VM stops (a throwaway demo run)

Ctrl-] powers the VM off (ACPI) and exits; pressing it twice pulls the plug.`,
  options: { build: { type: 'string' }, snapshot: { type: 'boolean' } },
  async run(ctx, args) {
    let buildId = parseBuildId(args.values.build);
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      if (buildId === undefined) {
        let spec;
        try {
          spec = requireSpec(appliancePositional(args));
        } catch (e) {
          if (e instanceof EngineError && e.code === 'spec') {
            ctx.err(`${e.message}\n`);
            return EXIT_USAGE;
          }
          throw e;
        }
        buildId = upToDateBuild(engine, spec) ?? undefined;
      }
      if (buildId === undefined) {
        const b = startBuild(engine, { dir: appliancePositional(args) });
        const stop = followJob(engine, ctx, b.jobId);
        const outcome = await interruptible(engine, b.jobId, b.done);
        stop();
        if (outcome.status !== 'succeeded') {
          ctx.err(`build failed: ${outcome.error}\n`);
          return EXIT_FAILED;
        }
        buildId = b.buildId;
      }
      const live = await launchBuildVm(engine, { buildId, purpose: 'boot', snapshot: Boolean(args.values.snapshot) });
      const vm = live.machine;
      ctx.err(`VM ${vm.vmid}: ${live.spec.name} ${live.spec.version} (build #${buildId}, ${vm.vmInfo?.accel})${args.values.snapshot ? ', snapshot: writes are discarded' : ''}\n`);
      for (const f of vm.forwards) ctx.err(`  guest port ${f.guest} -> http://127.0.0.1:${f.host}/\n`);
      ctx.err('  Ctrl-] to power off\n\n');
      const stdin = process.stdin;
      const off = vm.console.onData((text) => process.stdout.write(text));
      process.stdout.write(vm.console.output);
      let presses = 0;
      const onKey = (buf: Buffer) => {
        if (buf.includes(DETACH)) {
          presses++;
          ctx.err('\r\n[yoke] powering off…\r\n');
          void (presses > 1 ? vm.kill() : vm.stop({ graceMs: 10_000 }));
          return;
        }
        vm.console.write(buf);
      };
      if (stdin.isTTY) stdin.setRawMode(true);
      stdin.on('data', onKey);
      stdin.resume();
      const onSignal = () => void vm.stop({ graceMs: 10_000 });
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      await vm.exited;
      off();
      stdin.off('data', onKey);
      if (stdin.isTTY) stdin.setRawMode(false);
      stdin.pause();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      ctx.err('\n[yoke] VM stopped\n');
      return EXIT_OK;
    } finally {
      await engine.close();
    }
  },
};
