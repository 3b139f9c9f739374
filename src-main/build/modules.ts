import fs from 'node:fs';
import path from 'node:path';

/** The drivers a virtio machine needs from Debian's cloud kernel, where these are modules (ext4 is built in). */
export const APPLIANCE_MODULES = ['virtio_pci', 'virtio_blk', 'virtio_net'];

/** Guest path of a module as init loads it. */
export function guestModulePath(kernelVersion: string, m: KernelModule): string {
  return `/lib/modules/${kernelVersion}/${m.relPath}`;
}

export interface KernelModule {
  name: string;
  /** Path relative to the modules dir, e.g. kernel/drivers/virtio/virtio.ko */
  relPath: string;
  depends: string[];
}

function canonical(name: string): string {
  return name.replace(/-/g, '_');
}

/** Reads `depends=` from a module's .modinfo section (modules.dep is made by depmod at install time, which a fetched .deb never ran). */
export function readModuleDepends(ko: Buffer): string[] {
  const marker = Buffer.from('\0depends=');
  const at = ko.indexOf(marker);
  if (at < 0) return [];
  const start = at + marker.length;
  const end = ko.indexOf(0, start);
  return ko
    .subarray(start, end)
    .toString('utf8')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(canonical);
}

function indexModules(modulesDir: string): Map<string, string> {
  const index = new Map<string, string>();
  const walk = (rel: string) => {
    for (const ent of fs.readdirSync(path.join(modulesDir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(r);
      else if (ent.name.endsWith('.ko')) index.set(canonical(ent.name.slice(0, -3)), r);
      else if (/\.ko\.(xz|zst|gz)$/.test(ent.name)) {
        throw new Error(`Kernel module ${r} is compressed; busybox insmod needs uncompressed modules. Use a kernel whose modules are plain .ko files.`);
      }
    }
  };
  walk('kernel');
  return index;
}

function builtins(modulesDir: string): Set<string> {
  try {
    return new Set(
      fs
        .readFileSync(path.join(modulesDir, 'modules.builtin'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => canonical(path.basename(l).replace(/\.ko$/, ''))),
    );
  } catch {
    return new Set();
  }
}

/**
 * The modules to load for `wanted`, each after its dependencies (virtio_ring before virtio, or the
 * disks never appear). Built-in ones are skipped; a module the kernel lacks is an error.
 */
export function resolveModules(modulesDir: string, wanted: string[] = APPLIANCE_MODULES): KernelModule[] {
  const index = indexModules(modulesDir);
  const builtin = builtins(modulesDir);
  const out: KernelModule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (raw: string, chain: string[]) => {
    const name = canonical(raw);
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`Kernel modules depend on each other in a loop: ${[...chain, name].join(' → ')}`);
    const rel = index.get(name);
    if (!rel) {
      if (builtin.has(name)) return void state.set(name, 'done');
      throw new Error(`The kernel in ${modulesDir} has no module "${name}" (needed by ${chain.join(' → ') || 'the appliance'}).`);
    }
    state.set(name, 'visiting');
    const depends = readModuleDepends(fs.readFileSync(path.join(modulesDir, rel)));
    for (const d of depends) visit(d, [...chain, name]);
    state.set(name, 'done');
    out.push({ name, relPath: rel, depends });
  };
  for (const w of wanted) visit(w, []);
  return out;
}
