import type { DoctorReport } from '../api/contract';

const ACCEL_WORDS: Record<DoctorReport['accel']['kvm'], string> = {
  usable: 'usable',
  unusable: 'unusable, using tcg',
  absent: 'absent, using tcg',
};

/** `yoke doctor` for people: a table of tools, the kernel, the accelerator, what to install. */
export function formatDoctorReport(r: DoctorReport): string {
  const rows = r.tools.map((t) => [t.name, t.found ? 'found' : t.optional ? 'missing' : 'MISSING', t.version ?? '', t.path ?? (t.found ? '' : `(apt: ${t.aptPackage}${t.optional ? `; only for ${t.optional}` : ''})`)]);
  const header = ['TOOL', 'STATUS', 'VERSION', 'PATH'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  for (const t of r.tools) if (t.problem) out.push(`  ${t.name}: ${t.problem}`);
  out.push('');
  out.push(`Kernel: ${r.kernel.found ? `${r.kernel.path} — ${r.kernel.detail}` : r.kernel.detail}`);
  out.push(`KVM: ${ACCEL_WORDS[r.accel.kvm]} — ${r.accel.reason}`);
  out.push('');
  if (r.aptCommand) {
    out.push(`Missing: ${r.missingApt.join(', ')}. Install them with:`);
    out.push(`  ${r.aptCommand}`);
  } else {
    out.push('Everything Yoke needs is installed.');
  }
  return `${out.join('\n')}\n`;
}
