import fs from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { Machine } from '../../../src-main/vm/machine';
import { FIXTURE_APPEND, ensureTestKernel, makeFixtureInitramfs, makeTestHome, qemuPidsNamed } from './fixture';

it('stops a guest that ignores the power button by climbing the ladder, leaving no qemu', async () => {
  const home = makeTestHome();
  const { kernel } = ensureTestKernel();
  const m = new Machine({ home, kernel, initrd: makeFixtureInitramfs(path.join(home, 'initrd.cpio')), append: `${FIXTURE_APPEND} fixture.noacpi=1`, control: true });
  await m.start();
  await m.waitForControl(60_000);
  expect(await m.powerDown(1000)).toBe(false);
  expect(m.isRunning).toBe(true);
  expect(await m.stop({ graceMs: 500 })).toBe('quit');
  expect(qemuPidsNamed(m.vmid)).toEqual([]);
  const dir = path.join(home, 'vms', m.vmid);
  expect(JSON.parse(fs.readFileSync(path.join(dir, 'vm.json'), 'utf8'))).toMatchObject({ status: 'stopped', stoppedBy: 'quit' });
  expect(fs.existsSync(path.join(dir, 'qemu.pid'))).toBe(false);
  expect(fs.readFileSync(path.join(dir, 'console.log'), 'utf8')).toContain('yoke: ready');
  // Stopping twice is harmless.
  expect(await m.stop()).toBe('exited');
});

it('says why qemu did not start, with what qemu printed', async () => {
  const home = makeTestHome();
  const m = new Machine({ home, kernel: path.join(home, 'no-such-kernel'), append: 'console=ttyS0' });
  await expect(m.start()).rejects.toThrow(/qemu did not start[\s\S]*could not open kernel file .*no-such-kernel/);
  expect(qemuPidsNamed(m.vmid)).toEqual([]);
});

it('refuses to run commands on a VM started without a control channel', async () => {
  const home = makeTestHome();
  const { kernel } = ensureTestKernel();
  const m = new Machine({ home, kernel, initrd: makeFixtureInitramfs(path.join(home, 'initrd.cpio')), append: 'console=ttyS0 quiet' });
  await m.start();
  try {
    await m.waitForConsoleText(/yoke: ready/, 60_000);
    await expect(m.execute('true')).rejects.toThrow(/no control channel: start it with \{ control: true \}/);
    await expect(m.waitForConsoleText(/never printed/, 300)).rejects.toThrow(/did not show \/never printed\/ within 300 ms. Last lines:\n[\s\S]*yoke: ready/);
  } finally {
    await m.kill();
  }
});
