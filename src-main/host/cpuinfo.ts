import fs from 'node:fs';

/** Hardware virtualisation flags in /proc/cpuinfo: vmx (Intel VT-x) or svm (AMD-V). */
export function virtFlags(cpuinfo: string): { vmx: boolean; svm: boolean } {
  let vmx = false;
  let svm = false;
  for (const line of cpuinfo.split('\n')) {
    if (!/^flags\s*:/.test(line)) continue;
    const flags = line.slice(line.indexOf(':') + 1).trim().split(/\s+/);
    vmx ||= flags.includes('vmx');
    svm ||= flags.includes('svm');
  }
  return { vmx, svm };
}

export function readCpuinfo(file = '/proc/cpuinfo'): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
