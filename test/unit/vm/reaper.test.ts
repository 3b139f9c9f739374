import { describe, expect, it } from 'vitest';
import { isQemuOf } from '../../../src-main/vm/reaper';

describe('isQemuOf', () => {
  const q = ['/usr/bin/qemu-system-x86_64', '-name', 'yoke-v1', '-m', '256'];
  it('recognises the qemu of a VM id', () => {
    expect(isQemuOf(q, 'v1')).toBe(true);
    expect(isQemuOf(['qemu-system-x86_64', '-name', 'yoke-v1,process=x'], 'v1')).toBe(true);
  });
  it('rejects another VM, a prefix of the id, and processes that are not qemu', () => {
    expect(isQemuOf(q, 'v2')).toBe(false);
    expect(isQemuOf(['/usr/bin/qemu-system-x86_64', '-name', 'yoke-v10'], 'v1')).toBe(false);
    expect(isQemuOf(['sleep', '-name', 'yoke-v1'], 'v1')).toBe(false);
    expect(isQemuOf(['/usr/bin/qemu-system-x86_64'], 'v1')).toBe(false);
  });
});
