// The shape of appliance.yaml as people write it. Strict everywhere: an unknown key is an
// error. Defaults and cross-field rules live in normalize.ts and semantic.ts; this schema
// is also the source of resources/appliance.schema.json, so titles and descriptions are
// written for editor completion.
import { HARDWARE_FAMILIES } from '../vm/hardware';
import { z } from 'zod';
import { describeValue } from './describe';
import { DURATION_HINT, DURATION_PATTERN } from './duration';
import { SIZE_HINT, SIZE_PATTERN } from './size';
import { CHECK_KIND_LIST, CHECK_KINDS } from '../checks/kinds';
import { OUTPUT_FORMATS } from '../build/formats';
import { DEBIAN_RELEASES, USERLANDS } from './types';
import { expected, guestPath, port, strict, text, why } from './zod-rules';

export const NAME_PATTERN = '^[a-z0-9][a-z0-9-]*$';
// semver.org's own regular expression
export const SEMVER_PATTERN =
  '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)(?:-((?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\\.(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?$';
const SERVICE_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const LABEL_PATTERN = '^[A-Za-z0-9_-]{1,16}$';


const size = (title: string, def?: string) =>
  z
    .string(expected(`a size (${SIZE_HINT})`))
    .regex(new RegExp(SIZE_PATTERN), why((v) => `bad size ${describeValue(v)}: expected ${SIZE_HINT}`))
    .meta({ title, description: `${title}: ${SIZE_HINT} (K/M/G/T are 1024-based).`, ...(def ? { default: def } : {}) });
const commands = (title: string) =>
  z.array(text('a shell command line'), expected('a list of shell command lines')).meta({ title });

const Base = strict('a mapping with kernel, userland, release, packages and state', {
  kernel: text("'auto' or a path to a kernel image inside the appliance folder")
    .meta({ title: 'Kernel', description: "'auto' finds or fetches a kernel; otherwise a path to a kernel image, relative to the appliance folder.", default: 'auto' })
    .optional(),
  userland: z
    .enum(USERLANDS, why((v) => `expected ${USERLANDS.map((u) => `'${u}'`).join(' or ')}, found ${describeValue(v)}`))
    .meta({ title: 'Userland', description: "busybox: static busybox, tiny and quick. debian: real Debian packages (base.packages) on a read-only root filesystem.", default: 'busybox' })
    .optional(),
  release: z
    .enum(DEBIAN_RELEASES, why((v) => `expected a Debian release Yoke builds (${DEBIAN_RELEASES.join(', ')}), found ${describeValue(v)}`))
    .meta({ title: 'Debian release', description: 'With userland: debian, the release the packages come from.', default: 'bookworm' })
    .optional(),
  packages: z
    .array(
      z.string(expected('a Debian package name')).regex(/^[a-z0-9][a-z0-9+.-]+$/, why((v) => `bad package name ${describeValue(v)}: Debian package names are lower-case letters, digits, '+', '-' and '.'`)),
      expected('a list of Debian package names, like [nginx, sqlite3]'),
    )
    .meta({ title: 'Packages', description: 'With userland: debian, installed with their dependencies; versions are pinned in appliance.lock.' })
    .optional(),
  state: z
    .array(guestPath('an absolute guest directory'), expected('a list of guest directories, like [/var/lib/postgresql]'))
    .meta({ title: 'State on the data disk', description: "With userland: debian, package state directories kept on the data disk: seeded from the image on first boot, kept across upgrades." })
    .optional(),
}).meta({ title: 'Base system' });

const Rootfs = strict('a mapping with overlay and exclude', {
  overlay: text('a directory inside the appliance folder')
    .meta({ title: 'Overlay', description: 'Directory copied over the base system (modes kept, owner root).', default: 'rootfs' })
    .optional(),
  exclude: z
    .array(text('a glob pattern'), expected("a list of glob patterns, like ['**/.git']"))
    .meta({ title: 'Exclude', description: 'Globs (relative to the overlay) left out of the image.' })
    .optional(),
}).meta({ title: 'Root filesystem' });

const Service = strict('a service: a mapping with name and run', {
  name: z
    .string(expected('a service name'))
    .regex(new RegExp(SERVICE_NAME_PATTERN), why((v) => `bad service name ${describeValue(v)}: use letters, digits, '.', '_' and '-'`))
    .meta({ title: 'Service name' }),
  run: text('a shell command line').min(1, why(() => 'expected a shell command line, found an empty string')).meta({ title: 'Command line', description: 'Run by /bin/sh; restarted when it exits.' }),
  watch: z
    .array(text('a guest path, like /srv/www'), expected('a list of guest paths, like [/srv/www, /etc/app.conf]'))
    .meta({ title: 'Watched paths', description: '`yoke dev` restarts this service when a file under one of these guest paths changes (default: paths its command line names).' })
    .optional(),
}).meta({ title: 'Service' });

// The data disk's mount point is written into /etc/fstab (whitespace-separated fields, one entry a
// line), so it must be one clean absolute path: a space or newline would add fields or lines
// (a newline once mounted the disk over /etc), and '//', '.' or '..' reach paths it does not name.
export const MOUNT_POINT_PATTERN = '^(/(?!\\.{1,2}(/|$))[A-Za-z0-9._+@:,=-]+)+$';
const MOUNT_POINT_HINT = "a clean absolute path like /data: letters, digits and . _ - + @ : , = between single slashes, no '.' or '..' parts, no trailing '/'";
const mountPoint = z
  .string(expected('a guest path like /data'))
  .regex(
    new RegExp(MOUNT_POINT_PATTERN),
    why((v) => (v === '/' ? "the data disk cannot be mounted at '/'; use a directory like /data" : `bad mount point ${describeValue(v)}: expected ${MOUNT_POINT_HINT}`)),
  );

const DataDisk = strict('a mapping with size, label and mount', {
  size: size('Data disk size', '1G').optional(),
  label: z
    .string(expected('a filesystem label'))
    .regex(new RegExp(LABEL_PATTERN), why((v) => `bad label ${describeValue(v)}: expected 1 to 16 letters, digits, '_' or '-'`))
    .meta({ title: 'Filesystem label', default: 'data' })
    .optional(),
  mount: mountPoint.meta({ title: 'Mount point', description: `Where the data disk is mounted: ${MOUNT_POINT_HINT}.`, default: '/data' }).optional(),
});

const Disks = strict('a mapping with os and data', {
  os: strict('a mapping with size', { size: size('OS disk size', '256M').optional() }).meta({ title: 'OS disk' }).optional(),
  data: z
    .union([DataDisk, z.literal('none'), z.literal(false)], expected("a mapping { size, label, mount }, or 'none' for no data disk"))
    .meta({ title: 'Data disk', description: "ext4 disk kept across upgrades; 'none' (or false) for no data disk. Default 1G, label data, mounted at /data." })
    .optional(),
}).meta({ title: 'Disks' });

const Flavour = strict('a mapping with data', { data: size('Data disk size of this flavour') }).meta({ title: 'Flavour' });

const Vm = strict('a mapping with memory and cpus', {
  memory: size('Memory', '256M').optional(),
  cpus: z
    .int(expected('a whole number of CPUs'))
    .min(1, why((v) => `cpus must be between 1 and 64, found ${String(v)}`))
    .max(64, why((v) => `cpus must be between 1 and 64, found ${String(v)}`))
    .meta({ title: 'CPUs', default: 1 })
    .optional(),
  console: z
    .enum(['shell', 'none'], expected('shell or none'))
    .meta({ title: 'Serial console', description: 'shell: a root shell on the serial console (yoke boot, the Terminal tab); none: boot messages only', default: 'shell' })
    .optional(),
  hardware: z
    .array(
      z.enum(HARDWARE_FAMILIES, why((v) => `expected one of ${HARDWARE_FAMILIES.join(', ')}, found ${describeValue(v)}`)),
      expected(`a list of hardware families (${HARDWARE_FAMILIES.join(', ')})`),
    )
    .meta({
      title: 'Hardware',
      description: 'Machines the appliance must run on: virtio (qemu/KVM), virtualbox (IDE or SATA, E1000), vmware (IDE + E1000, PVSCSI + VMXNET3). ova, vmdk and vdi outputs add virtualbox and vmware; virtio is always included.',
    })
    .optional(),
}).meta({ title: 'Virtual machine' });

const Forward = strict('a mapping { guest: PORT } with an optional host port', {
  guest: port('Guest TCP port'),
  host: port('Host TCP port (picked free when absent)').optional(),
}).meta({ title: 'Port forward' });

const outputEnum = z.enum(OUTPUT_FORMATS as [string, ...string[]], why((v) => `expected one of ${OUTPUT_FORMATS.join(', ')}, found ${describeValue(v)}`));

// Each kind's key holds its own schema (checks/kinds/): exactly one of them per check, which
// semantic.ts says in words and json-schema.ts says to editors.
const kindKeys = Object.fromEntries(CHECK_KIND_LIST.map((k) => [k.kind, (k.schema as z.ZodType).optional()])) as Record<(typeof CHECK_KINDS)[number], z.ZodOptional<z.ZodType>>;

function duration(title: string, description: string, dflt: string) {
  return z
    .union(
      [
        z.string().regex(new RegExp(DURATION_PATTERN), why((v) => `bad duration ${describeValue(v)}: expected ${DURATION_HINT}`)),
        z.number().positive(why((v) => `expected a positive duration, found ${String(v)}`)),
      ],
      expected(DURATION_HINT),
    )
    .meta({ title, description, default: dflt })
    .optional();
}

export const CheckSchema = strict(`a check: a mapping with one of ${CHECK_KINDS.join(', ')}`, {
  name: text('a check name').meta({ title: 'Check name', description: 'Shown in reports; defaults to the kind and its target, like "port 80".' }).optional(),
  timeout: z
    .union(
      [
        z.string().regex(new RegExp(DURATION_PATTERN), why((v) => `bad timeout ${describeValue(v)}: expected ${DURATION_HINT}`)),
        z.number().positive(why((v) => `expected a positive timeout, found ${String(v)}`)),
      ],
      expected(DURATION_HINT),
    )
    .meta({ title: 'Timeout', description: 'How long to keep retrying: 10s, 500ms, 2m, or seconds.', default: '30s' })
    .optional(),
  ...kindKeys,
}).meta({ title: 'Check', description: `One of: ${CHECK_KINDS.join(', ')}; with optional name and timeout.` });

export const ApplianceSchema = strict('a YAML mapping of keys (name:, version:, ...)', {
  name: z
    .string(expected('an appliance name'))
    .regex(new RegExp(NAME_PATTERN), why((v) => `bad name ${describeValue(v)}: use lower-case letters, digits and '-', starting with a letter or digit (like hello-web)`))
    .meta({ title: 'Name', description: 'Lower-case letters, digits and -; one build history per name.' }),
  version: z
    .string(expected('a semantic version like 1.0.0'))
    .regex(new RegExp(SEMVER_PATTERN), why((v) => `bad version ${describeValue(v)}: expected a semantic version like 1.0.0 or 2.1.0-rc.1`))
    .meta({ title: 'Version', description: 'Semantic version, like 1.0.0.' }),
  description: text('a one-line description').meta({ title: 'Description' }).optional(),
  base: Base.optional(),
  rootfs: Rootfs.optional(),
  services: z.array(Service, expected('a list of services ({ name, run })')).meta({ title: 'Services', description: 'Started by init in order; restarted when they exit.' }).optional(),
  disks: Disks.optional(),
  flavours: z
    .record(
      z.string().regex(new RegExp(NAME_PATTERN), why((v) => `bad flavour name ${describeValue(v)}: use lower-case letters, digits and '-'`)),
      Flavour,
      expected('a mapping of flavour names to { data: SIZE }'),
    )
    .meta({ title: 'Flavours', description: 'Same OS disk, different data disk sizes.' })
    .optional(),
  vm: Vm.optional(),
  network: strict('a mapping with forward and outbound', {
    forward: z.array(Forward, expected('a list of forwards like { guest: 80 }')).meta({ title: 'Forwarded guest TCP ports' }).optional(),
    outbound: z
      .boolean(expected('true or false'))
      .meta({
        title: 'Outbound network',
        description:
          "false (the default): the guest cannot open any connection out, not even to the host's own services through 10.0.2.2; forwarded ports still work. true: the guest may reach the host's loopback, the LAN and the internet.",
        default: false,
      })
      .optional(),
  }).meta({ title: 'Network' }).optional(),
  outputs: z
    .array(outputEnum, expected(`a list of output formats (${OUTPUT_FORMATS.join(', ')})`))
    .min(1, why(() => `expected at least one output format (${OUTPUT_FORMATS.join(', ')}), found an empty list`))
    .meta({ title: 'Outputs', default: ['raw', 'qcow2'] })
    .optional(),
  checks: z.array(CheckSchema, expected('a list of checks')).meta({ title: 'Checks', description: 'Run against a freshly booted test VM.' }).optional(),
  upgrade: strict('a mapping with seed, verify, ready-within, settle and commit-checks', {
    seed: commands('Commands run in the OLD version before upgrading').optional(),
    verify: commands('Commands that must succeed in the NEW version after upgrading').optional(),
    'ready-within': duration('Ready within', 'An update on trial that is not ready this long after boot goes back to the previous version by itself.', '120s'),
    settle: duration('Settle time', 'Every service must stay up this long before an update on trial is committed.', '3s'),
    'commit-checks': z
      .boolean(expected('true or false'))
      .meta({
        title: 'Checks before commit',
        description: "true: an update on trial also runs this version's checks inside the appliance (http asks 127.0.0.1 there; a /regex/ is grep -E) and commits only when all pass; a check that keeps failing for 30 s sends it back to the previous version. false (the default): ready, mounted and services up is enough.",
        default: false,
      })
      .optional(),
  }).meta({ title: 'Upgrades' }).optional(),
  hooks: strict('a mapping with post-build', {
    'post-build': z
      .array(text('a script path inside the appliance folder'), expected('a list of script paths'))
      .meta({ title: 'Post-build scripts', description: 'Scripts (paths inside the appliance folder) run after a build, with the build facts in the environment.' })
      .optional(),
  }).meta({ title: 'Hooks' }).optional(),
}).meta({ title: 'Yoke appliance', description: 'appliance.yaml: how Yoke builds, boots and checks a virtual appliance.' });

export type RawAppliance = z.infer<typeof ApplianceSchema>;
export type RawCheck = z.infer<typeof CheckSchema>;
