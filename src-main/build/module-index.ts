// depmod's index for the kernel a build uses. A fetched .deb never ran depmod, so modules.dep
// may be missing: Yoke's own kernel cache gets it written in place; a kernel elsewhere
// (base.kernel: PATH, read-only or someone else's tree) gets it in a shadow folder under the
// cache whose `kernel` entry is a link to the real one (depmod follows it), so the tree the
// user pointed at is never written to.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { depmod } from '../tools/depmod';
import type { KernelInfo } from './kernel';
import { loadModuleIndex, ModuleError, type ModuleIndex } from './modules';

const INDEX_FILES = ['modules.builtin', 'modules.builtin.modinfo', 'modules.order'];

export async function ensureModuleIndex(kernel: KernelInfo, home: string, signal?: AbortSignal): Promise<ModuleIndex> {
  const dir = kernel.modulesDir;
  if (!dir) {
    throw new ModuleError(`The kernel ${kernel.path} has no modules folder (lib/modules/${kernel.version}); the appliance needs its disk and network drivers from it.`);
  }
  const name = `${kernel.version} (${kernel.path})`;
  if (fs.existsSync(path.join(dir, 'modules.dep'))) return loadModuleIndex(dir, name);
  if (!fs.existsSync(path.join(dir, 'kernel'))) throw new ModuleError(`The kernel ${name} has no kernel/ folder of modules in ${dir}.`);
  if (kernel.source === 'cache') {
    // <cache>/kernels/<version>/lib/modules/<version>: the base depmod wants is three levels up.
    await depmod(path.resolve(dir, '..', '..', '..'), kernel.version, { signal });
    return loadModuleIndex(dir, name);
  }
  const st = fs.statSync(path.join(dir, 'kernel'));
  const id = crypto.createHash('sha256').update(`${path.resolve(dir)}\0${st.mtimeMs}\0${kernel.version}`).digest('hex').slice(0, 16);
  const base = path.join(home, 'cache', 'modindex', id);
  const shadow = path.join(base, 'lib', 'modules', kernel.version);
  if (!fs.existsSync(path.join(shadow, 'modules.dep'))) {
    const tmp = `${base}.tmp-${process.pid}`;
    fs.rmSync(tmp, { recursive: true, force: true });
    const tmpShadow = path.join(tmp, 'lib', 'modules', kernel.version);
    fs.mkdirSync(tmpShadow, { recursive: true });
    fs.symlinkSync(path.resolve(dir, 'kernel'), path.join(tmpShadow, 'kernel'));
    for (const f of INDEX_FILES) if (fs.existsSync(path.join(dir, f))) fs.copyFileSync(path.join(dir, f), path.join(tmpShadow, f));
    try {
      await depmod(tmp, kernel.version, { signal });
      fs.rmSync(base, { recursive: true, force: true });
      fs.renameSync(tmp, base);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  return loadModuleIndex(dir, name, shadow);
}
