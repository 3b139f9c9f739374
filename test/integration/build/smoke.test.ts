import fs from 'node:fs';
import path from 'node:path';
import { it } from 'vitest';
import { findKernel } from '../../../src-main/build/kernel';
import { buildApplianceTree, buildBaseTree, writeLayer } from '../../../src-main/build/layers';
import { walkOverlay } from '../../../src-main/build/rootfs';
import { buildOsDisk, KERNEL_CMDLINE } from '../../../src-main/build/osdisk';
import { buildDataDisk } from '../../../src-main/build/datadisk';
import { makeTestHome } from './helpers';

it('smoke', async () => {
  const home = await makeTestHome();
  const k = findKernel(home, { bootDir: '/x', modulesRoot: '/x' })!;
  const out = '/tmp/yoke-smoke'; fs.rmSync(out, { recursive: true, force: true }); fs.mkdirSync(out);
  const t0 = Date.now();
  const { tree, modules } = await buildBaseTree(k);
  await writeLayer(tree, path.join(out, 'base.zst'), 1704067200);
  const t1 = Date.now();
  const ov = walkOverlay('/work/main/resources/sample/hello-web/rootfs', ['**/.git']);
  const at = buildApplianceTree({ name: 'hello-web', version: '1.0.0', services: [{ name: 'web', run: 'httpd -f -p 80 -h /srv/www' }], data: { label: 'data', mount: '/data' }, overlay: ov, kernel: k, modules, base: tree });
  await writeLayer(at, path.join(out, 'rootfs.zst'), 1704067200);
  const t2 = Date.now();
  await buildOsDisk({ out: path.join(out, 'os.raw'), sizeBytes: 64 << 20, kernel: k.path, initrds: [{ name: 'base.zst', path: path.join(out, 'base.zst') }, { name: 'rootfs.zst', path: path.join(out, 'rootfs.zst') }], cmdline: KERNEL_CMDLINE + ' yoke.control=1', id: '1234abcd', epoch: 1704067200 });
  const t3 = Date.now();
  await buildDataDisk({ out: path.join(out, 'data.raw'), sizeBytes: 32 << 20, label: 'data', uuid: '11111111-2222-4333-8444-555555555555', epoch: 1704067200 });
  const t4 = Date.now();
  console.log('base', t1 - t0, 'rootfs', t2 - t1, 'os', t3 - t2, 'data', t4 - t3, modules.map((m) => m.name));
});
