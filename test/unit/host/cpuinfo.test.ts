import { describe, expect, it } from 'vitest';
import { virtFlags } from '../../../src-main/host/cpuinfo';

const processor = (flags: string, n = 0) =>
  `processor\t: ${n}\nvendor_id\t: GenuineIntel\nmodel name\t: Some CPU\nflags\t\t: ${flags}\nbugs\t\t: spectre_v1\n\n`;

describe('virtFlags', () => {
  it('finds Intel VT-x and AMD-V', () => {
    expect(virtFlags(processor('fpu vme de pse tsc msr vmx ssse3'))).toEqual({ vmx: true, svm: false });
    expect(virtFlags(processor('fpu vme svm lahf_lm'))).toEqual({ vmx: false, svm: true });
  });

  it('reports none on a guest without nested virtualisation (like this machine)', () => {
    expect(virtFlags(processor('fpu vme de pse tsc msr pae mce hypervisor lahf_lm', 0) + processor('fpu hypervisor', 1))).toEqual({ vmx: false, svm: false });
    expect(virtFlags('')).toEqual({ vmx: false, svm: false });
  });

  it('matches whole flags only, and only on the flags line', () => {
    expect(virtFlags(processor('fpu vmx_ept_ad vnmi svm_lock'))).toEqual({ vmx: false, svm: false });
    expect(virtFlags('model name\t: vmx svm marketing name\nflags\t: fpu\n')).toEqual({ vmx: false, svm: false });
  });
});
