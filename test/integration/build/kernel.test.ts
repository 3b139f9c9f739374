import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findKernel } from '../../../src-main/build/kernel';
import { sharedKernelHome } from './helpers';

describe('kernel: auto', () => {
  it('fetches the Debian cloud kernel into the cache without root and finds it again', async () => {
    const home = await sharedKernelHome();
    const k = findKernel(home, { bootDir: '/nonexistent', modulesRoot: '/nonexistent' });
    expect(k).not.toBeNull();
    expect(k!.source).toBe('cache');
    expect(k!.version).toMatch(/^\d+\.\d+\.\d+-\d+-cloud-amd64$/);
    expect(fs.statSync(k!.path).size).toBeGreaterThan(1_000_000);
    expect(fs.existsSync(path.join(k!.modulesDir!, 'kernel/drivers/virtio/virtio.ko'))).toBe(true);
    // No half-fetched temp dirs are left behind.
    expect(fs.readdirSync(path.join(home, 'cache', 'kernels')).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  it('finds nothing in an empty home when the host has no kernel', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'yoke-empty-'));
    expect(findKernel(home, { bootDir: '/nonexistent', modulesRoot: '/nonexistent' })).toBeNull();
  });
});
