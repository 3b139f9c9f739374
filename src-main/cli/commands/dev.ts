import { EXIT_OK, type CliCommand } from '../types';
import { Engine } from '../../api/engine';
import type { EventPayload } from '../../api/contract';
import { formatProblem } from '../../spec/load';
import { formatMs } from '../progress';
import { printable } from '../printable';
import { appliancePositional, refused } from '../shared';

export const devCommand: CliCommand = {
  name: 'dev',
  summary: 'keep a development VM up and sync every edit into it, re-running the checks',
  usage: `Usage: yoke dev [DIR] [--json] [--verbose]

  DIR        appliance folder (default: current folder); built first when it changed

Boots a development VM (test boot: control channel, ports forwarded) and runs the checks. Then
every saved change to the overlay is copied into the running VM (modes kept, deletions applied),
the services using the changed files restart (services[].watch says which paths a service
watches; by default the paths its command line names, else all), and the checks run again. A
change a running VM cannot take (kernel, disks, memory, services' command lines) rebuilds and
reboots, saying why. Ctrl-C powers the VM off.

--json prints one JSON object per line: {"event":"ready","vmId","buildId","forwards":[{"guest","host"}]}
and after every cycle {"event":"checks","status":"passed"|"failed"|"invalid","checks":[…],
"changed":[…],"restarted":[…],"rebuilt"?,"ms":N,"diverged":bool} (ms: from the change being
seen to the checks finished).`,
  options: { verbose: { type: 'boolean', short: 'v' } },
  async run(ctx, args) {
    const dir = appliancePositional(args);
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    let jobId: string | null = null;
    const early: [string, unknown][] = [];
    let finish!: () => void;
    const finished = new Promise<void>((r) => (finish = r));
    const show = (event: string, payload: unknown) => {
      if (event === 'dev.ready') {
        const p = payload as EventPayload<'dev.ready'>;
        if (ctx.json) ctx.out(JSON.stringify({ event: 'ready', vmId: p.vmId, buildId: p.buildId, forwards: p.forwards }) + '\n');
        else ctx.err(`VM ${p.vmId} (build #${p.buildId}) is up: ${p.forwards.map((f) => `http://127.0.0.1:${f.host}/ -> guest ${f.guest}`).join(', ') || 'no ports forwarded'}\nWatching ${dir}; Ctrl-C powers the VM off.\n`);
      } else if (event === 'dev.cycle') {
        const { jobId: _j, vmId: _v, ...c } = payload as EventPayload<'dev.cycle'>;
        if (ctx.json) ctx.out(JSON.stringify({ event: 'checks', ...c }) + '\n');
        else {
          const lines = [`${c.rebuilt ? `rebuilt and rebooted: ${c.rebuilt}\n` : ''}${c.changed.length ? `synced ${c.changed.join(', ')}${c.restarted.length ? `; restarted ${c.restarted.join(', ')}` : ''}\n` : ''}checks ${c.status} in ${formatMs(c.ms)}${c.diverged ? ' (the VM has diverged from a clean build: run yoke test for the real thing)' : ''}`];
          for (const p of c.problems ?? []) lines.push(formatProblem(p));
          for (const x of c.checks.filter((x) => x.status === 'failed')) lines.push(`  ✗ ${x.name}: ${x.message.replace(/\n/g, '\n    ')}`);
          ctx.err(printable(lines.join('\n')) + '\n');
        }
      } else if (event === 'job.log' && args.values.verbose) {
        for (const l of (payload as EventPayload<'job.log'>).lines) ctx.err(printable(l.text) + '\n');
      } else if (event === 'job.finished') {
        const p = payload as EventPayload<'job.finished'>;
        if (p.status === 'failed') ctx.err(`yoke dev: ${p.error}\n`);
        finish();
      }
    };
    const off = engine.on((event, payload) => {
      const id = (payload as { jobId?: string }).jobId;
      if (jobId === null) early.push([event, payload]);
      else if (id === jobId) show(event, payload);
    });
    let presses = 0;
    const onSignal = () => {
      presses++;
      if (presses > 1) process.exit(130);
      ctx.err('\npowering the VM off (Ctrl-C again to exit at once)…\n');
      if (jobId) void engine.call('job.cancel', { jobId });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      try {
        jobId = (await engine.request('dev.start', { dir })).jobId;
      } catch (e) {
        return refused(ctx, 'dev', e);
      }
      for (const [event, payload] of early.splice(0)) if ((payload as { jobId?: string }).jobId === jobId) show(event, payload);
      await finished;
      return EXIT_OK;
    } finally {
      off();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await engine.close();
    }
  },
};
