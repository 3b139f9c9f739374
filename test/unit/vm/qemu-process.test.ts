import { describe, expect, it } from 'vitest';
import { findSetpriv, qemuLaunchCommand } from '../../../src-main/vm/qemu-process';

describe('qemuLaunchCommand', () => {
  it('wraps qemu in setpriv so it dies with its parent', () => {
    expect(qemuLaunchCommand(['-m', '64'], { setpriv: '/usr/bin/setpriv' })).toEqual({
      file: '/usr/bin/setpriv',
      args: ['--pdeathsig', 'SIGKILL', '--', 'qemu-system-x86_64', '-m', '64'],
    });
  });
  it('runs qemu directly without setpriv', () => {
    expect(qemuLaunchCommand(['-m', '64'], { setpriv: null, binary: '/opt/qemu' })).toEqual({ file: '/opt/qemu', args: ['-m', '64'] });
  });
  it('finds setpriv only on Linux', () => {
    expect(findSetpriv({ PATH: '/nonexistent' }, 'darwin')).toBeNull();
    expect(findSetpriv({ PATH: '/usr/bin:/bin' }, 'linux')).toMatch(/setpriv$/);
  });
});
