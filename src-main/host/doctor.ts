import type { DoctorReport } from '../api/contract';
import { findKernel } from '../build/kernel';
import { isStaticElf } from '../tools/busybox';
import { aptInstallCommand, missingPackages, runningAsRoot } from './apt-command';
import { probeKvm } from './kvm-probe';
import { locateTool, TOOL_CATALOGUE, type ToolSpec } from '../tools/catalogue';
import { readToolVersion } from './tool-version';

type ToolReport = DoctorReport['tools'][number];

export interface DoctorOptions {
  /** Probe KVM again instead of using the cached answer. */
  refresh?: boolean;
  /** The PATH to look programs up on (default: this process's). */
  pathEnv?: string;
  /** Whether the install command needs sudo (default: whether this process runs as root). */
  isRoot?: boolean;
  /** What to look for (default: resources/tools.json, less the tools every Debian has). */
  catalogue?: readonly ToolSpec[];
}

export const NO_KERNEL_DETAIL =
  'no usable kernel yet: `yoke build` fetches linux-image-cloud-amd64 into the cache on first use (needs apt)';

function staticProblem(file: string): string | undefined {
  try {
    if (isStaticElf(file)) return undefined;
    return 'dynamically linked: the appliance has no dynamic loader to run it, so a static busybox is needed';
  } catch {
    return 'not a readable 64-bit ELF program';
  }
}

async function checkTool(t: ToolSpec, pathEnv: string | undefined): Promise<ToolReport> {
  const base = { name: t.name, aptPackage: t.aptPackage, purpose: t.purpose, ...(t.optional ? { optional: t.optional } : {}) };
  const file = locateTool(t, pathEnv);
  if (!file) return { ...base, found: false };
  const problem = t.mustBeStatic ? staticProblem(file) : undefined;
  const version = t.versionArgv && !problem ? await readToolVersion(t.name, file, t.versionArgv, t.aptPackage) : undefined;
  return { ...base, found: !problem, path: file, ...(version ? { version } : {}), ...(problem ? { problem } : {}) };
}

function kernelReport(home: string): DoctorReport['kernel'] {
  const k = findKernel(home);
  if (!k) return { found: false, source: 'none', detail: NO_KERNEL_DETAIL };
  const where = k.source === 'host' ? 'the host kernel' : k.source === 'cache' ? 'fetched into the cache' : 'named in the spec';
  const modules = k.modulesDir ? `, modules in ${k.modulesDir}` : ', no modules found';
  return { found: true, path: k.path, source: k.source, detail: `${k.version} (${where}${modules})` };
}

/**
 * What this machine can do for Yoke: every tool the build and the VMs run, the kernel
 * appliances boot, and whether KVM really works. Never throws for a missing piece: the
 * report says what is missing and the exact command that installs it.
 */
export async function runDoctor(home: string, opts: DoctorOptions = {}): Promise<DoctorReport> {
  const pathEnv = opts.pathEnv ?? process.env.PATH;
  const tools = await Promise.all((opts.catalogue ?? TOOL_CATALOGUE.filter((t) => !t.essential)).map((t) => checkTool(t, pathEnv)));
  const qemu = tools.find((t) => t.name === 'qemu-system-x86_64');
  const accel = await probeKvm(home, {
    refresh: opts.refresh,
    pathEnv,
    qemuPath: qemu?.found ? qemu.path! : null,
    qemuVersion: qemu?.version,
  });
  // Tools only some appliances need (a Debian base) do not make the machine unready.
  const optional = new Set((opts.catalogue ?? TOOL_CATALOGUE).filter((t) => t.optional).map((t) => t.name));
  const missingApt = missingPackages(tools.filter((t) => !optional.has(t.name)));
  const aptCommand = aptInstallCommand(missingApt, opts.isRoot ?? runningAsRoot());
  return {
    ok: missingApt.length === 0,
    home,
    tools,
    kernel: kernelReport(home),
    accel,
    missingApt,
    ...(aptCommand ? { aptCommand } : {}),
  };
}
