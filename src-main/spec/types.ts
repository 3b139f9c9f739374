// The normalized appliance spec: every default filled in, sizes in bytes, paths absolute.
// Every other part of Yoke reads this shape, never the YAML.
import type { KindCheck } from '../checks/kinds';

import type { HardwareFamily } from '../vm/hardware';
import type { OutputFormat } from '../build/formats';
export type { OutputFormat } from '../build/formats';

export type Userland = 'busybox' | 'debian';
export const USERLANDS = ['busybox', 'debian'] as const;
export type DebianRelease = 'bookworm';
export const DEBIAN_RELEASES = ['bookworm'] as const;

export type { CheckKindName as CheckKind } from '../checks/kinds';

/** A check as every part of Yoke reads it: the common fields, and its kind's typed part (see checks/kinds/). */
export type Check = { name: string; timeoutMs: number; /** 1-based line of the check in appliance.yaml */ line: number } & KindCheck;

export interface ApplianceSpec {
  /** absolute appliance folder */
  dir: string;
  name: string;
  version: string;
  description?: string;
  /** kernel: 'auto' or an absolute path inside dir */
  /**
   * release, packages and state matter with userland debian only. state: guest directories kept on
   * the data disk (seeded from the image on first boot).
   */
  base: { kernel: 'auto' | string; userland: Userland; release: DebianRelease; packages: string[]; state: string[] };
  /** overlay: absolute directory, or null when the spec has no `rootfs:` key */
  rootfs: { overlay: string | null; exclude: string[] };
  /** watch: guest paths whose changes restart the service in `yoke dev` */
  services: { name: string; run: string; watch?: string[] }[];
  /** data is null only when the spec says `data: none` (or `data: false`) */
  disks: { os: { sizeBytes: number }; data: { sizeBytes: number; label: string; mount: string } | null };
  flavours: Record<string, { dataBytes: number }>;
  /** hardware: every family the appliance must run on (vm.hardware plus what the outputs imply, virtio always). */
  vm: { memoryBytes: number; cpus: number; console: 'shell' | 'none'; hardware: HardwareFamily[] };
  /** outbound: the guest may open connections to the host and beyond (off: qemu's restrict=on). */
  network: { forward: { guest: number; host?: number }[]; outbound: boolean };
  outputs: OutputFormat[];
  checks: Check[];
  /**
   * readyWithinS/settleS: how an update on trial proves itself (whole seconds, for the guest's
   * sleep); commitChecks: it must also pass its own checks inside the appliance.
   */
  upgrade: { seed: string[]; verify: string[]; readyWithinS: number; settleS: number; commitChecks: boolean };
  /** absolute paths of scripts inside dir, run after a build with cwd = dir */
  hooks: { postBuild: string[] };
  /** the validated plain object as written (for hashing / diffs) */
  source: unknown;
}
