// From the validated spec as written to the normalized ApplianceSpec: defaults filled in,
// sizes in bytes, paths absolute, checks named. Only called when there are no problems.
import fs from 'node:fs';
import { declaredFamilies } from '../vm/hardware';
import path from 'node:path';
import { allCheckKinds } from '../checks/kinds';
import { parseDuration } from './duration';
import type { RawAppliance, RawCheck } from './schema';
import { parseSize } from './size';
import type { ApplianceSpec, Check, OutputFormat } from './types';

export const DEFAULTS = {
  osSize: '256M',
  dataSize: '1G',
  dataLabel: 'data',
  dataMount: '/data',
  memory: '256M',
  cpus: 1,
  outputs: ['raw', 'qcow2'] as OutputFormat[],
  timeoutMs: 30_000,
  overlay: 'rootfs',
} as const;

/** True when the folder has a rootfs/ (a folder, or a symlink to one): the overlay a spec gets without a rootfs: key. */
export function hasDefaultOverlay(dir: string): boolean {
  try {
    fs.lstatSync(path.join(dir, DEFAULTS.overlay));
    return true;
  } catch {
    return false;
  }
}

const bytes = (s: string | undefined, def: string): number => parseSize(s ?? def)!;

export function normalizeSpec(raw: RawAppliance, dir: string, lineOfCheck: (i: number) => number): ApplianceSpec {
  const data = raw.disks?.data;
  return {
    dir,
    name: raw.name,
    version: raw.version,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    base: {
      kernel: !raw.base?.kernel || raw.base.kernel === 'auto' ? 'auto' : path.resolve(dir, raw.base.kernel),
      userland: raw.base?.userland ?? 'busybox',
      release: raw.base?.release ?? 'bookworm',
      packages: raw.base?.packages ?? [],
      state: (raw.base?.state ?? []).map((p) => path.posix.normalize(p).replace(/(.)\/+$/, '$1')),
    },
    rootfs: {
      // Without a rootfs: key the folder's own rootfs/ is the overlay, as the schema documents
      // (semantic.ts has already checked that it stays inside the folder).
      overlay: raw.rootfs ? path.resolve(dir, raw.rootfs.overlay ?? DEFAULTS.overlay) : hasDefaultOverlay(dir) ? path.resolve(dir, DEFAULTS.overlay) : null,
      exclude: raw.rootfs?.exclude ?? [],
    },
    services: (raw.services ?? []).map((s) => ({ name: s.name, run: s.run, ...(s.watch ? { watch: s.watch } : {}) })),
    disks: {
      os: { sizeBytes: bytes(raw.disks?.os?.size, DEFAULTS.osSize) },
      data:
        data === 'none' || data === false
          ? null
          : {
              sizeBytes: bytes(data?.size, DEFAULTS.dataSize),
              label: data?.label ?? DEFAULTS.dataLabel,
              mount: data?.mount ?? DEFAULTS.dataMount,
            },
    },
    flavours: Object.fromEntries(Object.entries(raw.flavours ?? {}).map(([k, f]) => [k, { dataBytes: parseSize(f.data)! }])),
    vm: {
      memoryBytes: bytes(raw.vm?.memory, DEFAULTS.memory),
      cpus: raw.vm?.cpus ?? DEFAULTS.cpus,
      console: raw.vm?.console ?? 'shell',
      hardware: declaredFamilies(raw.vm?.hardware, (raw.outputs ?? DEFAULTS.outputs) as OutputFormat[]),
    },
    network: {
      forward: (raw.network?.forward ?? []).map((f) => (f.host !== undefined ? { guest: f.guest, host: f.host } : { guest: f.guest })),
      outbound: raw.network?.outbound ?? false,
    },
    outputs: (raw.outputs ?? DEFAULTS.outputs) as OutputFormat[],
    checks: nameUnique((raw.checks ?? []).map((c, i) => normalizeCheck(c, lineOfCheck(i)))),
    upgrade: {
      seed: raw.upgrade?.seed ?? [],
      verify: raw.upgrade?.verify ?? [],
      readyWithinS: Math.ceil((parseDuration(raw.upgrade?.['ready-within'] ?? '120s') ?? 120_000) / 1000),
      settleS: Math.ceil((parseDuration(raw.upgrade?.settle ?? '3s') ?? 3000) / 1000),
      commitChecks: raw.upgrade?.['commit-checks'] ?? false,
    },
    hooks: { postBuild: (raw.hooks?.['post-build'] ?? []).map((h) => path.resolve(dir, h)) },
    source: raw,
  };
}

function normalizeCheck(c: RawCheck, line: number): Check {
  const timeoutMs = c.timeout !== undefined ? parseDuration(c.timeout)! : DEFAULTS.timeoutMs;
  // The schema let through exactly one kind's key (semantic.ts reports none or two).
  const kind = allCheckKinds().find((k) => (c as Record<string, unknown>)[k.kind] !== undefined)!;
  const { name, check } = kind.normalize((c as Record<string, unknown>)[kind.kind]);
  return { name: c.name ?? name, timeoutMs, line, ...check } as Check;
}

/** Two checks of the same target get "port 80", "port 80 #2": results must be told apart. */
function nameUnique(checks: Check[]): Check[] {
  const seen = new Map<string, number>();
  return checks.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return n === 1 ? c : { ...c, name: `${c.name} #${n}` };
  });
}
