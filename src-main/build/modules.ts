// Which kernel modules the initramfs loads, and in which order: chosen from the index depmod
// wrote for the kernel actually used (modules.dep, modules.alias, modules.softdep,
// modules.builtin[.modinfo]), never from a hard-coded list. Parsed here rather than asked of
// `modprobe --show-depends`, because busybox's insmod ignores softdeps and aliases: the order
// must be spelled out, softdeps first (ext4 fails with "Cannot load crc32c driver" otherwise).
import fs from 'node:fs';
import path from 'node:path';
import { pciName, type HardwareVariant, type PciId } from '../vm/hardware';

export interface KernelModule {
  name: string;
  /** Path relative to the modules dir, e.g. kernel/drivers/virtio/virtio.ko */
  relPath: string;
  depends: string[];
}

/** Guest path of a module as init loads it. */
export function guestModulePath(kernelVersion: string, m: KernelModule): string {
  return `/lib/modules/${kernelVersion}/${m.relPath}`;
}

/** The root filesystem is the initramfs; ext4 is for the data disk (a module in Debian's generic kernel). */
export const FILESYSTEM_MODULES = ['ext4'];

export function canonical(name: string): string {
  return name.replace(/-/g, '_');
}

interface Alias {
  pattern: string;
  /** Compiled on first use: a kernel has ~30 000 aliases and a build tests a handful of ids. */
  re?: RegExp;
  /** Literal characters in the pattern: the more, the more specific the match. */
  literal: number;
  /** The pattern up to its first wildcard: a modalias not starting with it cannot match. */
  head: string;
  module: string;
}

export interface ModuleIndex {
  /** Where the .ko files are (relPaths are relative to it). */
  modulesDir: string;
  /** The kernel's name in messages. */
  kernel: string;
  deps: Map<string, { relPath: string; depends: string[] }>;
  aliases: Alias[];
  /** Aliases without wildcards (crypto-crc32c → crc32c_generic, crc32c_intel), by name. */
  exact: Map<string, string[]>;
  builtinAliases: Alias[];
  softPre: Map<string, string[]>;
  builtin: Set<string>;
}

export class ModuleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModuleError';
  }
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function aliasMatches(a: Alias, modalias: string): boolean {
  // The literal head of the pattern ("pci:v00008086d0000") rejects nearly all aliases without a regex.
  if (!modalias.startsWith(a.head)) return false;
  a.re ??= globToRegExp(a.pattern);
  return a.re.test(modalias);
}

function alias(pattern: string, module: string): Alias {
  const wild = pattern.search(/[*?[]/);
  return { pattern, head: wild < 0 ? pattern : pattern.slice(0, wild), literal: pattern.replace(/\*|\?|\[[^\]]*\]/g, '').length, module: canonical(module) };
}

function readText(dir: string, name: string): string | null {
  try {
    return fs.readFileSync(path.join(dir, name), 'utf8');
  } catch {
    return null;
  }
}

const nameOf = (rel: string) => canonical(path.basename(rel).replace(/\.ko(\.(xz|zst|gz))?$/, ''));

/**
 * Reads depmod's text index. `indexDir` holds modules.dep and friends (the modules dir itself,
 * or a shadow folder depmod wrote for a kernel whose tree Yoke must not write into).
 */
export function loadModuleIndex(modulesDir: string, kernel: string, indexDir = modulesDir): ModuleIndex {
  // Every build reads the same kernel's ~30 000 aliases: remembered per index file identity.
  let stamp = '';
  try {
    const st = fs.statSync(path.join(indexDir, 'modules.dep'));
    stamp = `${path.resolve(modulesDir)}\0${path.resolve(indexDir)}\0${kernel}\0${st.ino}:${st.size}:${st.mtimeMs}`;
  } catch {
    // reported below
  }
  const memo = stamp ? loaded.get(stamp) : undefined;
  if (memo) return memo;
  const index = readIndex(modulesDir, kernel, indexDir);
  if (stamp) loaded.set(stamp, index);
  return index;
}

const loaded = new Map<string, ModuleIndex>();

function readIndex(modulesDir: string, kernel: string, indexDir: string): ModuleIndex {
  const dep = readText(indexDir, 'modules.dep');
  if (dep === null) throw new ModuleError(`The kernel ${kernel} has no modules.dep in ${indexDir}; run depmod on it first.`);
  const deps = new Map<string, { relPath: string; depends: string[] }>();
  for (const line of dep.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const relPath = line.slice(0, colon).trim();
    if (/\.ko\.(xz|zst|gz)$/.test(relPath)) {
      throw new ModuleError(`Kernel module ${relPath} of ${kernel} is compressed; busybox insmod needs uncompressed modules. Use a kernel whose modules are plain .ko files.`);
    }
    deps.set(nameOf(relPath), { relPath, depends: line.slice(colon + 1).trim().split(/\s+/).filter(Boolean).map(nameOf) });
  }
  const aliases: Alias[] = [];
  for (const line of (readText(indexDir, 'modules.alias') ?? '').split('\n')) {
    const m = /^alias\s+(\S+)\s+(\S+)/.exec(line);
    if (m) aliases.push(alias(m[1], m[2]));
  }
  const softPre = new Map<string, string[]>();
  for (const line of (readText(indexDir, 'modules.softdep') ?? '').split('\n')) {
    const m = /^softdep\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    // "pre:" names load before the module, "post:" after; names before any marker count as pre.
    const pre: string[] = [];
    let mode = 'pre';
    for (const tok of m[2].split(/\s+/)) {
      if (tok === 'pre:' || tok === 'post:') mode = tok.slice(0, -1);
      else if (mode === 'pre') pre.push(tok);
    }
    const key = canonical(m[1]);
    softPre.set(key, [...(softPre.get(key) ?? []), ...pre]);
  }
  const builtin = new Set((readText(indexDir, 'modules.builtin') ?? readText(modulesDir, 'modules.builtin') ?? '').split('\n').filter(Boolean).map(nameOf));
  // Built-in drivers still claim devices: their aliases are in modules.builtin.modinfo (NUL-separated "mod.key=value").
  const builtinAliases: Alias[] = [];
  const modinfo = readText(indexDir, 'modules.builtin.modinfo') ?? readText(modulesDir, 'modules.builtin.modinfo') ?? '';
  for (const rec of modinfo.split('\0')) {
    const m = /^([^.=]+)\.alias=(.+)$/.exec(rec);
    if (m) builtinAliases.push(alias(m[2], m[1]));
  }
  const exact = new Map<string, string[]>();
  for (const a of aliases) if (a.head === a.pattern) exact.set(a.pattern, [...(exact.get(a.pattern) ?? []), a.module]);
  return { modulesDir, kernel, deps, aliases, exact, builtinAliases, softPre, builtin };
}

/** The modalias string the kernel gives a PCI function (subsystem ids left at 0: no alias we use depends on them). */
export function pciModalias(p: PciId): string {
  const h = (n: number, w: number) => n.toString(16).toUpperCase().padStart(w, '0');
  return `pci:v${h(p.vendor, 8)}d${h(p.device, 8)}sv00000000sd00000000bc${h(p.cls[0], 2)}sc${h(p.cls[1], 2)}i${h(p.cls[2], 2)}`;
}

/**
 * The drivers that would bind `modalias`: among all matching aliases, the most specific ones (a
 * vendor:device match beats a class match, so ata_piix is chosen over ata_generic for PIIX).
 * `builtin` true means a built-in driver claims it and nothing needs loading.
 */
export function driversFor(index: ModuleIndex, modalias: string): { modules: string[]; builtin: boolean } {
  const matches = [...index.aliases, ...index.builtinAliases].filter((a) => aliasMatches(a, modalias));
  if (matches.length === 0) return { modules: [], builtin: false };
  const best = Math.max(...matches.map((a) => a.literal));
  const top = matches.filter((a) => a.literal === best);
  if (top.some((a) => index.builtinAliases.includes(a))) return { modules: [], builtin: true };
  return { modules: [...new Set(top.map((a) => a.module))].sort(), builtin: false };
}

/**
 * A name as a softdep or a class driver writes it: a module, a built-in, or an alias such as
 * `crypto-crc32c`. Of several modules behind one alias, the `_generic` one is taken: it works on
 * every CPU (crc32c_intel needs SSE4.2, which an old hypervisor CPU model may hide).
 */
function resolveName(index: ModuleIndex, raw: string): { modules: string[]; builtin: boolean } {
  const name = canonical(raw);
  if (index.deps.has(name)) return { modules: [name], builtin: false };
  if (index.builtin.has(name)) return { modules: [], builtin: true };
  const viaAlias = [...(index.exact.get(raw) ?? []), ...(raw === name ? [] : (index.exact.get(name) ?? []))];
  if (viaAlias.length === 0) {
    const bi = index.builtinAliases.some((a) => a.pattern === raw || a.pattern === name);
    return { modules: [], builtin: bi };
  }
  const generic = viaAlias.filter((m) => m.endsWith('_generic'));
  return { modules: [...new Set(generic.length > 0 ? generic : viaAlias)], builtin: false };
}

export interface WantedModule {
  name: string;
  /** Why it is needed, for errors: "profile virtualbox-ide (PIIX4 IDE 8086:7111)". */
  why: string;
}

/**
 * The load order for `wanted`: each module after its softdep "pre:" modules and its
 * dependencies (virtio_ring before virtio, crc32c_generic before ext4). Built-ins are skipped.
 */
export function moduleClosure(index: ModuleIndex, wanted: WantedModule[]): KernelModule[] {
  const out: KernelModule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, chain: string[], why: string) => {
    if (state.get(name) === 'done' || state.get(name) === 'visiting') return;
    const entry = index.deps.get(name);
    if (!entry) {
      if (index.builtin.has(name)) return void state.set(name, 'done');
      const by = chain.length > 0 ? `, which ${chain.join(' → ')} depends on` : '';
      throw new ModuleError(`The kernel ${index.kernel} has no module "${name}"${by} (needed for ${why}). Use a kernel that has it, or base.kernel: auto.`);
    }
    const ko = path.join(index.modulesDir, entry.relPath);
    if (!fs.existsSync(ko)) {
      throw new ModuleError(`The kernel ${index.kernel} lists module "${name}" in modules.dep but ${ko} is missing${chain.length ? ` (a dependency of ${chain.join(' → ')})` : ''}; the kernel package is incomplete.`);
    }
    state.set(name, 'visiting');
    // Soft "pre:" dependencies are optional to modprobe, so one the kernel lacks is skipped as modprobe would.
    for (const soft of index.softPre.get(name) ?? []) for (const m of resolveName(index, soft).modules) visit(m, [...chain, name], why);
    for (const d of entry.depends) visit(d, [...chain, name], why);
    state.set(name, 'done');
    out.push({ name, relPath: entry.relPath, depends: entry.depends });
  };
  for (const w of wanted) {
    const r = resolveName(index, w.name);
    if (r.builtin) continue;
    if (r.modules.length === 0) {
      throw new ModuleError(`The kernel ${index.kernel} has no module "${w.name}" (needed for ${w.why}). Use a kernel that has it, or base.kernel: auto.`);
    }
    for (const m of r.modules) visit(m, [], w.why);
  }
  return out;
}

/**
 * What the initramfs must load for these hardware variants: the driver bound to each PCI id the
 * guest sees, the class drivers and ext4 (the base adds its own wants, e.g. the ACPI button). A
 * PCI id no driver of this kernel claims fails the build naming the profile, the device and the
 * kernel.
 */
export function hardwareModuleNames(index: ModuleIndex, variants: readonly HardwareVariant[], extra: string[] = FILESYSTEM_MODULES): WantedModule[] {
  const wanted: WantedModule[] = [];
  for (const v of variants) {
    for (const p of v.pci) {
      const r = driversFor(index, pciModalias(p));
      if (r.builtin) continue;
      if (r.modules.length === 0) {
        throw new ModuleError(
          `The kernel ${index.kernel} has no driver for the ${p.what} (PCI ${pciName(p)}) that hardware profile ${v.name} needs. ` +
            `Use base.kernel: auto (Debian's generic kernel has it), a kernel built with that driver, or drop "${v.family}" from vm.hardware and the ova/vmdk/vdi outputs.`,
        );
      }
      for (const m of r.modules) wanted.push({ name: m, why: `hardware profile ${v.name} (${p.what}, PCI ${pciName(p)})` });
    }
    for (const c of v.classDrivers) wanted.push({ name: c, why: `hardware profile ${v.name}` });
  }
  for (const e of extra) wanted.push({ name: e, why: 'the data disk filesystem' });
  return wanted;
}

/** Modules asked for by name (the updater's vfat), in load order. */
/** The boot partition's filesystem: the updater mounts it (and update media) in the guest. */
export const FAT_MODULES = ['vfat', 'nls_cp437', 'nls_ascii', 'nls_utf8'];

export function namedModules(index: ModuleIndex, names: string[], why: string): KernelModule[] {
  return moduleClosure(index, names.map((name) => ({ name, why })));
}

/** The ordered module list for these variants plus `baseWants` (the base's own modules, by name). */
export function hardwareModules(index: ModuleIndex, variants: readonly HardwareVariant[], baseWants: string[] = []): KernelModule[] {
  return moduleClosure(index, [...hardwareModuleNames(index, variants), ...baseWants.map((name) => ({ name, why: 'the base userland' }))]);
}
