// Rules that span keys or touch the disk: duplicates, references between keys, paths.
// Runs on the raw data even when the schema failed, so one run reports every problem;
// each rule skips parts whose type is wrong (the schema already reported those).
import type { Finding } from './finding';
import { checkInsidePath } from './paths';
import type { SpecPath } from './positions';
import { allCheckKinds, CHECK_KINDS } from '../checks/kinds';
import { hasDefaultOverlay } from './normalize';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
// an out-of-range port is already reported; comparing it again would only repeat that
const isPort = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535;

// Folders of the base system, and folders the init fills at boot (anything below them too).
const SYSTEM_DIRS = ['/bin', '/sbin', '/etc', '/lib', '/lib64', '/usr', '/usr/bin', '/usr/sbin', '/usr/lib', '/init'];
const RUNTIME_DIRS = ['/proc', '/sys', '/dev', '/run'];

export function semanticFindings(data: unknown, dir: string, lineOf: (p: SpecPath) => number): Finding[] {
  if (!isObj(data)) return [];
  const out: Finding[] = [];
  const firstSeen = (seen: Map<unknown, SpecPath>, value: unknown, p: SpecPath, say: (firstLine: number) => string) => {
    const first = seen.get(value);
    if (first) out.push({ path: p, message: say(lineOf(first)) });
    else seen.set(value, p);
  };

  // services
  const serviceNames: string[] = [];
  const seenServices = new Map<unknown, SpecPath>();
  list(data.services).forEach((s, i) => {
    const name = obj(s).name;
    if (typeof name !== 'string') return;
    if (!serviceNames.includes(name)) serviceNames.push(name);
    firstSeen(seenServices, name, ['services', i, 'name'], (l) => `service '${name}' is defined twice (first at line ${l}); service names must be unique`);
  });

  // forwards
  const guestPorts = new Set<number>();
  const seenGuest = new Map<unknown, SpecPath>();
  const seenHost = new Map<unknown, SpecPath>();
  list(obj(data.network).forward).forEach((f, i) => {
    const { guest, host } = obj(f);
    if (isPort(guest)) {
      guestPorts.add(guest);
      firstSeen(seenGuest, guest, ['network', 'forward', i, 'guest'], (l) => `guest port ${guest} is forwarded twice (first at line ${l}); list each guest port once`);
    }
    if (isPort(host)) {
      firstSeen(seenHost, host, ['network', 'forward', i, 'host'], (l) => `host port ${host} is used by two forwards (first at line ${l}); each forward needs its own host port`);
    }
  });

  // checks
  const seenCheckNames = new Map<unknown, SpecPath>();
  list(data.checks).forEach((c, i) => {
    if (!isObj(c)) return;
    const kinds = CHECK_KINDS.filter((k) => k in c);
    if (kinds.length === 0) {
      const found = Object.keys(c);
      out.push({ path: ['checks', i], message: `a check needs one of ${CHECK_KINDS.join(', ')}; found ${found.length ? 'only ' + found.join(', ') : 'an empty mapping'}` });
    } else if (kinds.length > 1) {
      out.push({ path: ['checks', i, kinds[1]], at: 'key', message: `a check has exactly one kind, found ${kinds.join(' and ')}; split it into ${kinds.length} checks` });
    }
    if (typeof c.name === 'string') {
      firstSeen(seenCheckNames, c.name, ['checks', i, 'name'], (l) => `check name '${c.name}' is used twice (first at line ${l}); check names must be unique`);
    }
    // each kind's own rules between its check and the rest of the spec (checks/kinds/)
    for (const k of allCheckKinds()) {
      if (!(k.kind in c) || !k.crossCheck) continue;
      for (const f of k.crossCheck(c[k.kind], { serviceNames, guestPorts })) out.push({ path: ['checks', i, k.kind, ...f.path], message: f.message });
    }
  });

  // outputs
  const seenOutputs = new Map<unknown, SpecPath>();
  list(data.outputs).forEach((o, i) => {
    if (typeof o === 'string') firstSeen(seenOutputs, o, ['outputs', i], (l) => `output '${o}' is listed twice (first at line ${l})`);
  });

  // disks and flavours
  const disks = obj(data.disks);
  if ((disks.data === 'none' || disks.data === false) && isObj(data.flavours) && Object.keys(data.flavours).length) {
    out.push({ path: ['flavours'], at: 'key', message: "flavours set data disk sizes, but disks.data is 'none'; remove flavours or add a data disk" });
  }

  // The data disk over a folder the system itself needs hides it (an fstab line once mounted it over /etc).
  const mount = isObj(disks.data) ? disks.data.mount : undefined;
  if (typeof mount === 'string') {
    const top = '/' + (mount.split('/')[1] ?? '');
    if (SYSTEM_DIRS.includes(mount) || (RUNTIME_DIRS.includes(top) && mount !== top) || RUNTIME_DIRS.includes(mount)) {
      out.push({ path: ['disks', 'data', 'mount'], message: `the data disk cannot be mounted at ${mount}: the system needs that folder; use a folder of its own like /data or /var/lib/app` });
    }
  }

  // base: Debian-only keys, and state directories that need a data disk
  const base = obj(data.base);
  if (base.userland !== 'debian') {
    for (const k of ['release', 'packages', 'state'] as const) {
      if (base[k] !== undefined) out.push({ path: ['base', k], at: 'key', message: `base.${k} applies to userland: debian only; add 'userland: debian' or remove it` });
    }
  }
  list(base.state).forEach((p, i) => {
    if (typeof p !== 'string') return;
    const mount = isObj(disks.data) && typeof disks.data.mount === 'string' ? disks.data.mount : '/data';
    if (disks.data === 'none' || disks.data === false) out.push({ path: ['base', 'state', i], message: `state directory ${p} lives on the data disk, but disks.data is 'none'; add a data disk or remove it` });
    else if (p === '/' || ['/proc', '/sys', '/dev', '/run', '/tmp'].some((d) => p === d || p.startsWith(`${d}/`))) out.push({ path: ['base', 'state', i], message: `${p} cannot be kept on the data disk; name a package's state directory, like /var/lib/postgresql` });
    else if (p === mount || p.startsWith(`${mount}/`)) out.push({ path: ['base', 'state', i], message: `${p} is on the data disk already (${mount}); list directories of the image, like /var/lib/postgresql` });
  });

  // paths inside the folder
  const kernel = obj(data.base).kernel;
  if (typeof kernel === 'string' && kernel !== 'auto') {
    const r = checkInsidePath(dir, kernel, 'kernel image', 'file');
    if (!r.ok) out.push({ path: ['base', 'kernel'], message: r.message });
  }
  if (data.rootfs === undefined && hasDefaultOverlay(dir)) {
    // No rootfs: key, but a rootfs/ the build will use: it must pass the same checks.
    const r = checkInsidePath(dir, 'rootfs', 'overlay directory', 'dir');
    if (!r.ok) out.push({ path: [], message: `${r.message} (the folder's rootfs/ is the overlay when appliance.yaml has no rootfs: key)` });
  }
  if (isObj(data.rootfs)) {
    const overlay = data.rootfs.overlay;
    if (overlay === undefined || typeof overlay === 'string') {
      const r = checkInsidePath(dir, overlay ?? 'rootfs', 'overlay directory', 'dir');
      if (!r.ok) out.push({ path: overlay === undefined ? ['rootfs'] : ['rootfs', 'overlay'], at: overlay === undefined ? 'key' : 'value', message: r.message });
    }
  }
  list(obj(data.hooks)['post-build']).forEach((h, i) => {
    if (typeof h !== 'string') return;
    const r = checkInsidePath(dir, h, 'post-build script', 'file');
    if (!r.ok) out.push({ path: ['hooks', 'post-build', i], message: r.message });
  });
  return out;
}
