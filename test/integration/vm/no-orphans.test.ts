import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { ensureTestKernel, makeFixtureInitramfs, makeTestHome, qemuPidsNamed } from './fixture';

const JITI = path.resolve('node_modules/jiti/lib/jiti-cli.mjs');

it('a VM dies with the Node process that started it, even on SIGKILL', async () => {
  const home = makeTestHome();
  const { kernel } = ensureTestKernel();
  const initrd = makeFixtureInitramfs(path.join(home, 'initrd.cpio'));
  const child = spawn(process.execPath, [JITI, path.join(__dirname, 'orphan-child.ts'), home, kernel, initrd], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', () => reject(new Error(`child exited early: ${stderr}`)));
  });
  const { vmid, pid } = JSON.parse(first) as { vmid: string; pid: number };
  expect(qemuPidsNamed(vmid)).toEqual([pid]);

  child.kill('SIGKILL');
  let left = qemuPidsNamed(vmid);
  for (let i = 0; i < 100 && left.length; i++) {
    await new Promise((r) => setTimeout(r, 50));
    left = qemuPidsNamed(vmid);
  }
  expect(left).toEqual([]);
});
