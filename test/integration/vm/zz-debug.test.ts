import path from 'node:path';
import { it } from 'vitest';
import { Machine } from '../../../src-main/vm/machine';
import { FIXTURE_APPEND, ensureTestKernel, makeFixtureInitramfs, makeTestHome } from './fixture';
it('debug', async () => {
  const home = makeTestHome();
  const { kernel } = ensureTestKernel();
  const initrd = makeFixtureInitramfs(path.join(home, 'initrd.cpio'));
  const m = new Machine({ home, kernel, initrd, append: FIXTURE_APPEND, control: true });
  await m.start();
  await m.waitForControl(60_000);
  for (const n of [300, 370, 380, 400, 700, 1000, 5000, 20000]) {
    const r = await m.execute(`echo ${'x'.repeat(n)} | wc -c`);
    console.log(n, JSON.stringify(r));
  }
  const r = await m.execute(`echo \${#yc}; echo $yc | head -c 100; echo; echo $yc | base64 -d | head -c 100`);
  console.log(JSON.stringify(r));
  await m.kill();
});
