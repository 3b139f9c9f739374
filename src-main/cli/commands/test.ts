import fs from 'node:fs';
import path from 'node:path';
import { EXIT_FAILED, EXIT_OK, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import { junitXml } from '../../checks/junit';
import { formatMs } from '../progress';
import { runJob } from '../job';
import { printable } from '../printable';
import { appliancePositional, buildJson, parseBuildId, parseFirmware, refused } from '../shared';
import { untilVmGone } from './vm-wait';

export { parseBuildId } from '../shared';

export const testCommand: CliCommand = {
  name: 'test',
  summary: "boot a build and run the appliance's checks",
  usage: `Usage: yoke test [DIR] [--build ID] [--data FILE] [--hardware NAME|all] [--firmware bios|uefi] [--junit FILE] [--keep-running] [--verbose]

  DIR             appliance folder (default: current folder); built first when it changed
  --build ID      test this build instead
  --data FILE     test on a copy of this data disk (raw, qcow2, vmdk, vhd, vdi as a hypervisor exports it, or a tar(.zst) of the data); FILE is never written
  --hardware H    boot the exported disks on that hardware: virtio, virtualbox-ide,
                  virtualbox-sata, vmware-ide, vmware-pvscsi, a family (virtualbox, vmware),
                  or all (every variant of the families the spec declares); one run each
  --firmware F    bios (default) or uefi: start the VM with OVMF, as a hypervisor set to EFI
  --junit FILE    also write the results as JUnit XML
  --keep-running  leave the VM running after the checks, until Ctrl-C
  --verbose       print every log line, including the VM's console`,
  options: {
    build: { type: 'string' },
    data: { type: 'string' },
    hardware: { type: 'string' },
    firmware: { type: 'string' },
    junit: { type: 'string' },
    'keep-running': { type: 'boolean' },
    verbose: { type: 'boolean', short: 'v' },
  },
  async run(ctx, args) {
    const buildId = parseBuildId(args.values.build);
    const dir = buildId === undefined ? appliancePositional(args) : undefined;
    const keepRunning = Boolean(args.values['keep-running']);
    const firmware = parseFirmware(args.values.firmware);
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      let outcome;
      try {
        const hardware = args.values.hardware === undefined ? undefined : String(args.values.hardware);
        outcome = await runJob(
          engine,
          ctx,
          () => engine.request('test.start', { dir, buildId, keepRunning, ...(args.values.data ? { data: path.resolve(String(args.values.data)) } : {}), ...(hardware !== undefined ? { hardware } : {}), ...(firmware === 'uefi' ? { firmware } : {}) }),
          { verbose: Boolean(args.values.verbose) },
        );
      } catch (e) {
        return refused(ctx, 'test', e);
      }
      const runId = outcome.runIds?.[0];
      if (runId === undefined) {
        // The job ended before a test run existed: the build failed, or it was cancelled.
        const why = outcome.status === 'cancelled' ? 'cancelled' : (outcome.error ?? outcome.status);
        ctx.err(`yoke test: ${printable(why)}\n`);
        if (ctx.json) {
          const build = outcome.buildId !== undefined ? await engine.request('builds.get', { id: outcome.buildId }) : null;
          ctx.out(JSON.stringify({ error: { message: why }, ...(build ? { build: buildJson(build) } : {}) }) + '\n');
        }
        return EXIT_FAILED;
      }
      // One run per hardware variant with --hardware; JUnit and JSON cover them all.
      const runs = await Promise.all((outcome.runIds ?? [runId]).map((id) => engine.request('runs.get', { id })));
      const names = outcome.hardware ?? [];
      const build = await engine.request('builds.get', { id: runs[0].buildId });
      const label = (i: number) => (names[i] ? ` [${names[i]}]` : '');
      const allChecks = runs.flatMap((r, i) => r.checks.map((c) => ({ ...c, name: `${c.name}${label(i)}` })));
      if (args.values.junit) {
        const file = path.resolve(String(args.values.junit));
        fs.writeFileSync(file, junitXml(`${build.appliance} ${build.version} (build #${build.id})`, allChecks));
      }
      const run = runs[0];
      if (ctx.json) {
        ctx.out(
          JSON.stringify({
            build: buildJson(build),
            run: { id: run.id, status: run.status },
            checks: run.checks,
            consoleLog: run.consoleLog,
            screenshot: run.screenshot,
            ...(names.length ? { runs: runs.map((r, i) => ({ hardware: names[i], id: r.id, status: r.status, checks: r.checks, consoleLog: r.consoleLog, screenshot: r.screenshot })) } : {}),
          }) + '\n',
        );
      } else {
        runs.forEach((r, i) => {
          if (names[i]) ctx.out(`${names[i]} (run #${r.id}):\n`);
          for (const c of r.checks) {
            const mark = c.status === 'passed' ? '✓' : '✗';
            ctx.out(printable(`${names[i] ? '  ' : ''}${mark} ${c.name}  ${formatMs(c.durationMs)}${c.status === 'failed' ? `\n    ${c.message.replace(/\n/g, '\n    ')}` : ''}`) + '\n');
          }
        });
      }
      const failed = allChecks.filter((c) => c.status === 'failed').length;
      ctx.err(`build #${build.id} ${build.appliance} ${build.version}: ${allChecks.length - failed} passed, ${failed} failed; console log ${runs.map((r) => r.consoleLog).join(', ')}\n`);
      if (outcome.vmId) {
        const vm = (await engine.request('vms.list', {})).find((v) => v.id === outcome.vmId);
        if (vm) {
          ctx.err(`VM ${vm.id} keeps running: ${vm.forwards.map((f) => `http://127.0.0.1:${f.host}/ -> guest ${f.guest}`).join(', ')}\nPress Ctrl-C to power it off.\n`);
          await untilVmGone(engine, vm.id, { stopOnSignal: true });
        }
      }
      return outcome.status === 'succeeded' ? EXIT_OK : EXIT_FAILED;
    } finally {
      await engine.close();
    }
  },
};
