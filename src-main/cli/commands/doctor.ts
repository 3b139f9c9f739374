import { Engine } from '../../api/engine';
import { formatDoctorReport } from '../../host/doctor-text';
import { EXIT_FAILED, EXIT_OK, UsageError, type CliCommand } from '../types';

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'check the tools, kernel and accelerator this machine offers Yoke',
  usage: [
    'Usage: yoke doctor [--refresh]',
    '',
    'Lists every program Yoke runs (found or missing, version, path), the kernel appliances',
    'boot, and whether KVM works here (else qemu emulates: tcg). When something is missing it',
    'prints the exact apt-get command that installs it. Exit status 1 when something required is missing.',
    '',
    '  --refresh    test KVM again instead of using the answer cached for a day',
  ].join('\n'),
  options: {
    refresh: { type: 'boolean' },
  },
  async run(ctx, args) {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
    if (!ctx.json && args.values.refresh) ctx.err('Testing KVM with a short boot...\n');
    const engine = new Engine({ home: ctx.home, face: 'cli' });
    try {
      const report = await engine.request('host.doctor', { refresh: Boolean(args.values.refresh) });
      ctx.out(ctx.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
      return report.ok ? EXIT_OK : EXIT_FAILED;
    } finally {
      await engine.close();
    }
  },
};
