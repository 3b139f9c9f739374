// The one contract between the engine and every face (Electron IPC, the WebSocket of
// `yoke serve`, the CLI). It imports nothing but its validation library, so the
// renderer, the preload and the engine can all share it.
import { z } from 'zod';

// ---------- shared shapes ----------

export const Problem = z.object({
  file: z.string(),
  line: z.number().int(),
  col: z.number().int(),
  message: z.string(),
  path: z.string().optional(), // dotted key path in the spec, e.g. "services.0.name"
});
export type Problem = z.infer<typeof Problem>;

export const ApplianceSummary = z.object({
  dir: z.string(),
  specFile: z.string(),
  valid: z.boolean(),
  problems: z.array(Problem),
  name: z.string().optional(),
  version: z.string().optional(),
  description: z.string().optional(),
  services: z.array(z.object({ name: z.string(), run: z.string() })),
  checks: z.number().int(),
  outputs: z.array(z.string()),
  forwards: z.array(z.object({ guest: z.number().int(), host: z.number().int().optional() })),
  memory: z.string().optional(),
  disks: z.object({ os: z.string().optional(), data: z.string().optional() }),
  // A Debian base: what the spec asks for, and how many packages appliance.lock pins (null: no lock yet).
  debian: z.object({ release: z.string(), packages: z.array(z.string()), state: z.array(z.string()), locked: z.number().int().nullable() }).optional(),
});
export type ApplianceSummary = z.infer<typeof ApplianceSummary>;

export const ToolReport = z.object({
  name: z.string(),
  found: z.boolean(),
  path: z.string().optional(),
  version: z.string().optional(),
  aptPackage: z.string(),
  purpose: z.string(),
  // Found but not usable, and why (e.g. a dynamically linked busybox).
  problem: z.string().optional(),
  // Needed only for this (a Debian base): missing, it does not make the machine unready.
  optional: z.string().optional(),
});
export const DoctorReport = z.object({
  ok: z.boolean(),
  home: z.string(),
  tools: z.array(ToolReport),
  kernel: z.object({ found: z.boolean(), path: z.string().optional(), source: z.string(), detail: z.string() }),
  accel: z.object({
    kvm: z.enum(['usable', 'unusable', 'absent']),
    using: z.enum(['kvm', 'tcg']),
    reason: z.string(),
    probeMs: z.number(),
  }),
  missingApt: z.array(z.string()),
  aptCommand: z.string().optional(),
});
export type DoctorReport = z.infer<typeof DoctorReport>;

export const ArtifactRow = z.object({
  format: z.string(),
  disk: z.enum(['os', 'data']).optional(),
  kind: z.string().optional(),
  path: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  // Bytes the file really occupies on disk (allocated blocks; sparse images hold far less than
  // their size), and the flavour a data disk was made for: both filled by builds.get.
  usedBytes: z.number().optional(),
  flavour: z.string().optional(),
});
export type ArtifactRow = z.infer<typeof ArtifactRow>;

export const StageRow = z.object({
  name: z.string(),
  status: z.string(),
  cacheHit: z.boolean(),
  durationMs: z.number(),
});

// One shape for a check everywhere: the live event, a stored result, the CLI's JSON.
export const CheckResult = z.object({
  name: z.string(),
  kind: z.string(),
  status: z.enum(['passed', 'failed']),
  message: z.string(),
  durationMs: z.number(),
  phase: z.string().optional(),
  /** Line of the check in appliance.yaml, when the check comes from the spec. */
  line: z.number().int().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;
/** A check while it runs: waiting (with what it last saw in `message`), then its result. */
export const CheckState = CheckResult.extend({ status: z.enum(['waiting', 'passed', 'failed']) });
export type CheckState = z.infer<typeof CheckState>;

/** A log line: when, how serious, what (the same shape live job.log events carry). */
export const LogLine = z.object({ t: z.number(), level: z.enum(['debug', 'info', 'warn', 'error']), text: z.string() });
export type LogLine = z.infer<typeof LogLine>;

export const BuildStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled', 'interrupted']);
export type BuildStatus = z.infer<typeof BuildStatus>;
/** The newest test run of a build: what a user means by "did it pass". */
export const TestStatus = z.enum(['passed', 'failed', 'not-run', 'running', 'cancelled', 'interrupted']);
export type TestStatus = z.infer<typeof TestStatus>;
export const RunStatus = z.enum(['running', 'passed', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;
export const UpgradeMethod = z.enum(['swap', 'package']);
export type UpgradeMethod = z.infer<typeof UpgradeMethod>;
export const JobKind = z.enum(['build', 'test', 'upgrade', 'dev', 'canary']);

const CanaryAnswer = z.object({ status: z.number().int(), contentType: z.string(), bytes: z.number(), ms: z.number(), error: z.string().optional() });
/** What `yoke canary` found: the same requests against OLD and NEW, and its verdict. */
export const CanaryReport = z.object({
  from: z.object({ id: z.number().int(), version: z.string() }),
  to: z.object({ id: z.number().int(), version: z.string() }),
  requests: z.number().int(),
  skipped: z.array(z.object({ request: z.string(), why: z.string() })),
  differences: z.array(z.object({ request: z.string(), old: CanaryAnswer, new: CanaryAnswer, why: z.string() })),
  /** Error lines NEW's services and console printed during the replay that OLD's did not. */
  newErrors: z.array(z.string()),
  /** Bodies that changed without holding the candidate (text, not behaviour). */
  changedBodies: z.number().int(),
  verdict: z.enum(['promote', 'hold']),
});
export type CanaryReport = z.infer<typeof CanaryReport>;
export type JobKind = z.infer<typeof JobKind>;
export const StageStatus = z.enum(['running', 'ok', 'failed', 'cancelled', 'skipped']);
export type StageStatus = z.infer<typeof StageStatus>;

export const StageEvent = z.object({
  jobId: z.string(),
  buildId: z.number().int().optional(),
  name: z.string(),
  status: StageStatus,
  cacheHit: z.boolean(),
  durationMs: z.number(),
});
export type StageEvent = z.infer<typeof StageEvent>;


export const BuildSummary = z.object({
  id: z.number().int(),
  appliance: z.string(),
  version: z.string(),
  status: BuildStatus,
  /** The newest test run of this build (kind test), not upgrade runs that used it. */
  testStatus: TestStatus,
  createdAt: z.string(),
  durationMs: z.number().nullable(),
  bytes: z.number().nullable(),
  /** What the files occupy on disk (sparse images: far less than bytes); null when not measured. */
  usedBytes: z.number().nullable().optional(),
  released: z.boolean(),
  error: z.string().nullable().optional(),
  /** When a build that was running was found with its process gone. */
  interruptedAt: z.string().nullable().optional(),
});
export type BuildSummary = z.infer<typeof BuildSummary>;

export const BuildDetail = BuildSummary.extend({
  inputsHash: z.string().nullable(),
  dir: z.string().nullable(),
  logPath: z.string().nullable(),
  stages: z.array(StageRow),
  artifacts: z.array(ArtifactRow),
  checks: z.array(CheckResult),
  // usedBytes (from BuildSummary): builds.get measures it from the artifacts (see ArtifactRow.usedBytes).
});
export type BuildDetail = z.infer<typeof BuildDetail>;

/** The firmware a VM boots with: SeaBIOS, or OVMF (UEFI); VirtualBox and VMware offer both. */
export const Firmware = z.enum(['bios', 'uefi']);
export type Firmware = z.infer<typeof Firmware>;

export const UpgradeAfter = z.object({ version: z.string(), rolledBack: z.boolean() });
export type UpgradeAfter = z.infer<typeof UpgradeAfter>;

export const RunSummary = z.object({
  id: z.number().int(),
  kind: z.enum(['test', 'upgrade']),
  buildId: z.number().int(),
  fromBuildId: z.number().int().nullable(),
  appliance: z.string(),
  version: z.string(),
  status: RunStatus,
  method: UpgradeMethod.nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().nullable(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const RunDetail = RunSummary.extend({
  checks: z.array(CheckResult),
  consoleLog: z.string().nullable(),
  /** An upgrade run's OLD boot(s): the console log before the upgrade. */
  oldConsoleLog: z.string().nullable(),
  screenshot: z.string().nullable(),
  /** An upgrade run: the version the appliance ended on, and whether it rolled the update back by itself. */
  after: UpgradeAfter.nullable(),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const BuildLinks = z.object({
  id: z.number().int(),
  appliance: z.string(),
  version: z.string(),
  status: z.string(),
  released: z.boolean(),
  parentId: z.number().int().nullable(),
  children: z.array(z.number().int()),
});

export const VmSummary = z.object({
  id: z.string(),
  buildId: z.number().int().nullable(),
  appliance: z.string(),
  version: z.string(),
  accel: z.enum(['kvm', 'tcg']),
  startedAt: z.string(),
  status: z.string(),
  forwards: z.array(z.object({ guest: z.number().int(), host: z.number().int() })),
  purpose: z.string(),
  /** A development VM (yoke dev) that files were synced into: it no longer matches a clean build. */
  diverged: z.boolean().optional(),
});
export type VmSummary = z.infer<typeof VmSummary>;

// ---------- new appliance, compare (wizard, compare view) ----------

// A check as the wizard collects it: a kind and its fields by name. The kinds and their fields
// come from the engine (checks.kinds), which validates the answer against its registry.
export const WizardCheck = z.object({ kind: z.string(), fields: z.record(z.string(), z.union([z.string(), z.number()])) }).strict();
export type WizardCheck = z.infer<typeof WizardCheck>;

export const CheckKindField = z.object({ name: z.string(), label: z.string(), type: z.enum(['text', 'number']), required: z.boolean(), example: z.string().optional() });
export type CheckKindField = z.infer<typeof CheckKindField>;
export const CheckKindInfo = z.object({ kind: z.string(), label: z.string(), fields: z.array(CheckKindField) });
export type CheckKindInfo = z.infer<typeof CheckKindInfo>;

export const CreateApplianceRequest = z
  .object({
    dir: z.string().min(1),
    name: z.string(),
    version: z.string(),
    description: z.string().optional(),
    template: z.enum(['web', 'empty', 'debian']),
    // A Debian base (template debian): the release, packages and state directories on the data disk.
    debian: z.object({ release: z.string(), packages: z.array(z.string()), state: z.array(z.string()) }).strict().optional(),
    services: z.array(z.object({ name: z.string(), run: z.string() })),
    forwards: z.array(z.object({ guest: z.number().int(), host: z.number().int().optional() })),
    osSize: z.string(),
    dataSize: z.string().nullable(), // null: no data disk
    memory: z.string().optional(),
    flavours: z.array(z.object({ name: z.string(), data: z.string() })),
    outputs: z.array(z.string()),
    checks: z.array(WizardCheck),
  })
  .strict();
export type CreateApplianceRequest = z.infer<typeof CreateApplianceRequest>;

const DiffLine = z.object({ op: z.enum(['same', 'add', 'del']), text: z.string() });
const FileChange = z.object({ path: z.string(), change: z.enum(['added', 'removed', 'changed']), bytesA: z.number().nullable(), bytesB: z.number().nullable() });
const CompareSide = z.object({
  build: BuildSummary,
  stages: z.array(StageRow),
  checks: z.array(CheckResult),
  bootSeconds: z.number().nullable(),
  rootfsBytes: z.number(),
  rootfsFiles: z.number().int(),
  // Bytes by top-level directories and one level below ("usr", "usr/lib"), for the treemap.
  dirs: z.array(z.object({ path: z.string(), bytes: z.number() })),
  rootfsError: z.string().optional(),
});
const PackageChange = z.object({ name: z.string(), change: z.enum(['added', 'removed', 'upgraded', 'downgraded']), versionA: z.string().nullable(), versionB: z.string().nullable() });
export const BuildComparison = z.object({
  a: CompareSide,
  b: CompareSide,
  specDiff: z.array(DiffLine),
  // Debian bases: the packages of the two builds' locks (absent when neither build has one).
  packages: z.object({ changes: z.array(PackageChange), unchanged: z.number().int(), release: z.object({ a: z.string().nullable(), b: z.string().nullable() }) }).optional(),
  files: z.array(FileChange),
  unchangedFiles: z.number().int(),
  history: z.array(z.object({ id: z.number().int(), version: z.string(), durationMs: z.number().nullable(), bytes: z.number().nullable(), status: z.string() })),
});
export type BuildComparison = z.infer<typeof BuildComparison>;

const Empty = z.object({}).strict();
const JobRef = z.object({ jobId: z.string() });

// ---------- commands: request and response of each ----------

export const commands = {
  'app.info': {
    request: Empty,
    response: z.object({
      version: z.string(),
      home: z.string(),
      face: z.enum(['electron', 'web', 'cli']),
      sample: z.string(),
      // The output formats the engine builds (its format table), with labels for people.
      formats: z.array(z.object({ name: z.string(), label: z.string() })),
    }),
  },
  'host.doctor': {
    request: z.object({ refresh: z.boolean().optional() }).strict(),
    response: DoctorReport,
  },
  'appliance.open': {
    request: z.object({ dir: z.string().min(1) }).strict(),
    response: ApplianceSummary,
  },
  'appliance.validate': {
    // Validates without remembering the folder: no database is created or written.
    request: z.object({ dir: z.string().min(1) }).strict(),
    response: ApplianceSummary,
  },
  'appliance.pickFolder': {
    // Electron shows a native dialog; other faces answer { dir: null } and the UI asks for a path.
    request: Empty,
    response: z.object({ dir: z.string().nullable() }),
  },
  'appliance.openSpec': {
    // A check's "appliance.yaml:12" link. The desktop app opens the folder's appliance.yaml (only
    // that file) at the line in the user's editor ($VISUAL, $EDITOR, VS Code), else shows it in
    // its folder ('folder'); other faces answer 'none' and the UI shows the line itself.
    request: z.object({ dir: z.string().min(1), line: z.number().int().min(1).max(10_000_000) }).strict(),
    response: z.object({
      opened: z.enum(['editor', 'folder', 'none']),
      /** The editor that opened it ("code", "vim in a terminal"). */
      editor: z.string().optional(),
      /** The editor was told the line (an editor Yoke does not know opens the file only). */
      atLine: z.boolean(),
      /** Why no editor opened it, when one was tried. */
      problem: z.string().optional(),
    }),
  },
  'appliance.recent': {
    request: Empty,
    response: z.array(z.object({ name: z.string(), dir: z.string(), lastOpened: z.string() })),
  },
  'build.start': {
    request: z
      .object({
        dir: z.string().min(1),
        flavour: z.string().optional(),
        outputs: z.array(z.string()).optional(),
        noCache: z.boolean().optional(),
        /** A Debian base: resolve base.packages again and rewrite appliance.lock (the only thing that changes it). */
        refresh: z.boolean().optional(),
        strict: z.boolean().optional(),
        // Make the diff update package against this older build (default: the parent build).
        diffFrom: z.number().int().optional(),
        /**
         * Reuse the newest succeeded build when nothing in the folder changed since it was made
         * (and no option above asks for something else): the job makes no build and finishes at
         * once with that build (job.finished unchangedSince). Without it a build is always made.
         */
        reuse: z.boolean().optional(),
      })
      .strict(),
    // buildId: the new build, or the reused one (unchangedSince says so).
    response: z.object({ jobId: z.string(), buildId: z.number().int(), unchangedSince: z.number().int().optional() }),
  },
  'test.start': {
    request: z
      .object({
        dir: z.string().optional(),
        buildId: z.number().int().optional(),
        // Leave the VM running after the checks; job.finished names it (vmId) and the caller stops it.
        keepRunning: z.boolean().optional(),
        // A customer's data disk (raw, qcow2, vmdk, vhd, vdi, or a tar(.zst) of the data): tested on a copy.
        data: z.string().min(1).optional(),
        // Boot on this hardware from the exported disks: a variant (virtualbox-sata), a family (vmware) or "all" the spec declares.
        hardware: z.string().optional(),
        // bios (default) or uefi: OVMF, as a VirtualBox or VMware VM set to EFI.
        firmware: Firmware.optional(),
      })
      .strict(),
    response: JobRef,
  },
  'runs.get': {
    // A test or upgrade run: its checks, status and logs (job.finished names the runs a job made).
    request: z.object({ id: z.number().int() }).strict(),
    response: RunDetail,
  },
  'runs.list': {
    request: z.object({ appliance: z.string().optional(), limit: z.number().int().positive().max(100000).optional() }).strict(),
    response: z.array(RunSummary),
  },
  'builds.links': {
    // Parent and children of a build (what `yoke release` prints).
    request: z.object({ id: z.number().int() }).strict(),
    response: BuildLinks,
  },
  'boot.prepare': {
    // The build `yoke boot DIR` boots: the newest one when the folder did not change, else a new build job.
    request: z.object({ dir: z.string().min(1) }).strict(),
    response: z.union([z.object({ buildId: z.number().int() }), z.object({ jobId: z.string(), buildId: z.number().int() })]),
  },
  'job.cancel': {
    request: JobRef.strict(),
    response: z.object({ cancelled: z.boolean() }),
  },
  'builds.list': {
    request: z.object({ appliance: z.string().optional(), limit: z.number().int().positive().max(100000).optional() }).strict(),
    response: z.array(BuildSummary),
  },
  'builds.get': {
    request: z.object({ id: z.number().int() }).strict(),
    response: BuildDetail,
  },
  'hardware.list': {
    // The hardware profiles `test.start` can boot on (vm.hardware families and their variants).
    request: Empty,
    response: z.array(z.object({ name: z.string(), family: z.string(), title: z.string() })),
  },
  'builds.screenshot': {
    // The VM's screen at the end of the build's newest test run (PNG, base64); null when none was taken.
    request: z.object({ id: z.number().int() }).strict(),
    response: z.object({ png: z.string().nullable() }),
  },
  'vms.screen': {
    // What a running VM's screen shows now (PNG, base64): the console a hypervisor window would show.
    request: z.object({ id: z.string() }).strict(),
    response: z.object({ png: z.string() }),
  },
  'vms.list': {
    request: Empty,
    response: z.array(VmSummary),
  },
  'vms.boot': {
    // Boots a build for a person: forwarded ports, serial console; snapshot discards all writes.
    // hostPorts: guest port → host port to reuse (Present mode's Reset keeps the links it showed).
    request: z
      .object({
        buildId: z.number().int(),
        snapshot: z.boolean().optional(),
        data: z.string().min(1).optional(),
        hostPorts: z.array(z.object({ guest: z.number().int(), host: z.number().int() })).optional(),
        // An update medium (NAME-VERSION.update.vmdk or .raw) attached as a third disk, never written.
        medium: z.string().min(1).optional(),
      })
      .strict(),
    response: z.object({ vmId: z.string() }),
  },
  'vms.attach': {
    // Start streaming the VM's serial console as `vm.console` events; returns what was printed so far.
    request: z.object({ id: z.string() }).strict(),
    response: z.object({ backlog: z.string() }),
  },
  'vms.detach': {
    request: z.object({ id: z.string() }).strict(),
    response: z.object({}),
  },
  'vms.input': {
    request: z.object({ id: z.string(), data: z.string().max(65536) }).strict(),
    response: z.object({}),
  },
  'vms.resize': {
    // The size of the window the console is shown in, in characters: the guest's tty learns it.
    request: z.object({ id: z.string(), rows: z.number().int().min(1).max(1000), cols: z.number().int().min(1).max(1000) }).strict(),
    response: z.object({}),
  },
  'vms.ack': {
    // Flow control: the screen has drawn `chars` more characters (VS Code style acknowledgement).
    request: z.object({ id: z.string(), chars: z.number().int().nonnegative() }).strict(),
    response: z.object({}),
  },
  'updates.bundle': {
    // One file that updates an appliance at fromBuildId's version to toBuildId's in one install:
    // the signed packages of every version in between, diffs where the builds made them.
    request: z.object({ fromBuildId: z.number().int(), toBuildId: z.number().int(), out: z.string().min(1).optional() }).strict(),
    response: z.object({
      path: z.string(),
      bytes: z.number(),
      steps: z.array(z.object({ buildId: z.number().int(), version: z.string(), kind: z.enum(['diff', 'full']), file: z.string(), bytes: z.number() })),
    }),
  },
  'builds.release': {
    request: z.object({ id: z.number().int(), released: z.boolean() }).strict(),
    response: BuildSummary,
  },
  'builds.delete': {
    request: z.object({ id: z.number().int() }).strict(),
    response: z.object({ freedBytes: z.number() }),
  },
  'builds.log': {
    // The stored build log, as lines (the live log arrives as job.log events).
    request: z.object({ id: z.number().int(), tail: z.number().int().positive().optional() }).strict(),
    response: z.object({ lines: z.array(LogLine), truncated: z.boolean() }),
  },
  'upgrades.matrix': {
    // Released builds (rows) against candidate builds (columns), with the latest upgrade run of each pair.
    request: z.object({ appliance: z.string().min(1) }).strict(),
    response: z.object({
      candidates: z.array(BuildSummary),
      rows: z.array(BuildSummary),
      // rolledBack: the update failed on the appliance and it went back to OLD by itself.
      cells: z.array(z.object({ fromBuildId: z.number().int(), toBuildId: z.number().int(), status: z.enum(['passed', 'failed', 'not-run']), runId: z.number().int().optional(), rolledBack: z.boolean().optional() })),
    }),
  },
  'upgrades.run.get': {
    // One upgrade run (a cell of the matrix): its checks with their phases and both console logs
    // (the OLD boot and the NEW boot), each the last 200 KB.
    request: z.object({ runId: z.number().int() }).strict(),
    response: z.object({
      runId: z.number().int(),
      from: BuildSummary.nullable(), // null: the old build was deleted since
      to: BuildSummary,
      method: UpgradeMethod.optional(), // absent only for runs recorded before the method was stored
      status: RunStatus,
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      checks: z.array(CheckResult),
      after: UpgradeAfter.nullable(),
      consoleLogs: z.object({ old: z.string(), new: z.string() }),
      consoleTruncated: z.object({ old: z.boolean(), new: z.boolean() }),
    }),
  },
  'upgrades.run': {
    // OLD builds by id (the matrix) or by `from` (a version, build numbers "3,7", or "released"); NEW
    // is toBuildId, or built from dir first.
    request: z
      .object({
        fromBuildIds: z.array(z.number().int()).min(1).optional(),
        from: z.string().min(1).optional(),
        toBuildId: z.number().int().optional(),
        dir: z.string().min(1).optional(),
        method: UpgradeMethod.optional(),
        // Every boot of the test with this firmware (default bios).
        firmware: Firmware.optional(),
        keepDisks: z.boolean().optional(),
        // OLD boots on a copy of this data disk instead of its own fresh one (a customer's data).
        data: z.string().min(1).optional(),
        // Only every `of`-th pair, starting at `index` (1-based): CI jobs split a matrix this way.
        shard: z.object({ index: z.number().int().positive(), of: z.number().int().positive() }).refine((s) => s.index <= s.of, 'shard index must be between 1 and of').optional(),
        // Boot both halves on this hardware variant (or a family's first) from the exported disks; swap only.
        hardware: z.string().optional(),
      })
      .strict(),
    response: JobRef,
  },
  'appliance.create': {
    // The "New appliance" wizard: writes a commented appliance.yaml (validated first) and its overlay.
    request: CreateApplianceRequest,
    response: ApplianceSummary,
  },
  'debian.packages': {
    // Package names of a Debian release from the index Yoke keeps (cache/debian): the wizard's
    // package search. indexed: false before any Debian build on this machine kept an index.
    request: z.object({ release: z.string(), query: z.string(), limit: z.number().int().min(1).max(200).optional() }).strict(),
    response: z.object({ indexed: z.boolean(), total: z.number().int(), names: z.array(z.string()) }),
  },
  'debian.refreshPreview': {
    // What `yoke build --refresh` would change in the folder's appliance.lock: the archive's
    // versions today for every locked package (fetched into a private folder; nothing is built).
    request: z.object({ dir: z.string().min(1) }).strict(),
    response: z.object({
      release: z.string(),
      locked: z.number().int(),
      unchanged: z.number().int(),
      changes: z.array(z.object({ name: z.string(), change: z.enum(['added', 'removed', 'upgraded', 'downgraded']), versionA: z.string().nullable(), versionB: z.string().nullable() })),
    }),
  },
  'checks.kinds': {
    // The check kinds the engine knows, with the fields the wizard's check editor draws for each.
    request: Empty,
    response: z.object({ kinds: z.array(CheckKindInfo) }),
  },
  'appliance.watch': {
    // Re-validate on every save; answers the current summary, then emits appliance.changed.
    request: z.object({ dir: z.string().min(1) }).strict(),
    response: ApplianceSummary,
  },
  'appliance.unwatch': {
    request: z.object({ dir: z.string().min(1) }).strict(),
    response: z.object({}),
  },
  'builds.compare': {
    request: z.object({ a: z.number().int(), b: z.number().int() }).strict(),
    response: BuildComparison,
  },
  'dev.start': {
    // The live loop (yoke dev, the Live switch): build if needed, boot a development VM, run the
    // checks, then sync every edit into it and run them again. Runs until job.cancel.
    request: z.object({ dir: z.string().min(1) }).strict(),
    response: JobRef,
  },
  'canary.start': {
    // Boots OLD and NEW side by side on copies of one data disk, replays recorded requests (a HAR
    // file or an access log) against both and compares the answers; canary.get reads the verdict.
    request: z
      .object({
        dir: z.string().min(1).optional(),
        toBuildId: z.number().int().optional(),
        from: z.string().min(1),
        requests: z.string().min(1),
        data: z.string().min(1).optional(),
        // Regular expressions blanked in bodies before they are compared (dates and ids always are).
        ignore: z.array(z.string()).optional(),
        // Hold on any body difference, not only on status, type, JSON shape, latency and new errors.
        bodies: z.boolean().optional(),
      })
      .strict(),
    response: JobRef,
  },
  'canary.get': {
    request: z.object({ jobId: z.string() }).strict(),
    response: CanaryReport,
  },
  'builds.export': {
    // The build with its artifacts, stages, checks, logs and test runs, as one tar file.
    request: z.object({ id: z.number().int(), file: z.string().min(1) }).strict(),
    response: z.object({ bytes: z.number(), files: z.number().int() }),
  },
  'builds.import': {
    // A build exported elsewhere (a CI runner): every file's SHA-256 checked first; all or nothing.
    request: z.object({ file: z.string().min(1) }).strict(),
    response: BuildSummary,
  },
  'vms.saveData': {
    // A running VM's data disk saved to a file (format from the extension): a backup, or data for
    // another appliance (test, boot and upgrade-test take it as --data).
    request: z.object({ id: z.string(), file: z.string().min(1) }).strict(),
    response: z.object({ file: z.string(), bytes: z.number(), format: z.string() }),
  },
  'vms.stop': {
    request: z.object({ id: z.string(), force: z.boolean().optional() }).strict(),
    response: z.object({ stopped: z.boolean() }),
  },
} as const;

// ---------- events: pushed from the engine to every subscribed face ----------

export const events = {
  'job.started': z.object({ jobId: z.string(), kind: JobKind, title: z.string(), buildId: z.number().int().optional() }),
  // The job's one progress figure: 0..1 of the whole job and never backwards, or null while unknown.
  'job.progress': z.object({
    jobId: z.string(),
    phase: z.string(),
    fraction: z.number().min(0).max(1).nullable(),
    message: z.string().optional(),
  }),
  // A build stage started or finished (a test that builds first sends its build's stages too).
  'job.stage': StageEvent,
  // The build a job works on became known (a test that builds first, an upgrade test's NEW build).
  'job.build': z.object({ jobId: z.string(), buildId: z.number().int() }),
  // Lines are batched: one event carries many lines (see src-main/util/batcher.ts).
  'job.log': z.object({
    jobId: z.string(),
    lines: z.array(LogLine),
  }),
  'job.finished': z.object({
    jobId: z.string(),
    status: z.enum(['succeeded', 'failed', 'cancelled']),
    error: z.string().optional(),
    buildId: z.number().int().optional(),
    // Test and upgrade runs the job recorded (look them up with runs.get / upgrades.run.get).
    runIds: z.array(z.number().int()).optional(),
    // The hardware variant each of runIds booted on (test.start with hardware), same order.
    hardware: z.array(z.string()).optional(),
    // A VM the job left running (test.start with keepRunning).
    vmId: z.string().optional(),
    // build.start with reuse: nothing changed since this build (also buildId), so none was made.
    unchangedSince: z.number().int().optional(),
  }),
  'vms.changed': z.object({}),
  // A watched appliance folder changed on disk (debounced); the spec re-validated.
  'appliance.changed': z.object({ dir: z.string(), summary: ApplianceSummary }),
  'builds.changed': z.object({ id: z.number().int() }),
  'vm.console': z.object({ id: z.string(), data: z.string() }),
  // The live loop's VM is up (again, after a rebuild): where its ports are.
  'dev.ready': z.object({ jobId: z.string(), vmId: z.string(), buildId: z.number().int(), forwards: z.array(z.object({ guest: z.number().int(), host: z.number().int() })) }),
  // One cycle of the live loop: what changed, what was done about it, and the checks after it.
  'dev.cycle': z.object({
    jobId: z.string(),
    vmId: z.string(),
    // passed/failed: the checks' verdict; invalid: the spec has errors (the VM keeps the last good state)
    status: z.enum(['passed', 'failed', 'invalid']),
    checks: z.array(CheckResult),
    /** Appliance files the cycle applied (relative to the appliance folder), deletions included. */
    changed: z.array(z.string()),
    /** Services restarted because files they use changed. */
    restarted: z.array(z.string()),
    /** Set when the change could not be applied live: why the loop rebuilt and rebooted. */
    rebuilt: z.string().optional(),
    problems: z.array(Problem).optional(),
    /** From the change being seen to the checks finished. */
    ms: z.number(),
    /** The VM differs from a clean build of these inputs until a full build + test passes. */
    diverged: z.boolean(),
  }),
  // An upgrade test started a pair (one cell of the matrix): which OLD build, which run records it.
  'upgrade.pair': z.object({ jobId: z.string(), runId: z.number().int(), fromBuildId: z.number().int(), toBuildId: z.number().int(), method: UpgradeMethod, index: z.number().int(), of: z.number().int() }),
  // A check of a running test or upgrade run: waiting (message: what it saw last), then its result.
  'test.check': CheckState.extend({ jobId: z.string(), runId: z.number().int().optional() }),
} as const;

export type CommandName = keyof typeof commands;
export type EventName = keyof typeof events;
export type Req<C extends CommandName> = z.input<(typeof commands)[C]['request']>;
export type Res<C extends CommandName> = z.output<(typeof commands)[C]['response']>;
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>;

export const commandNames = Object.keys(commands) as CommandName[];
export const eventNames = Object.keys(events) as EventName[];

// The envelope every transport returns: never a thrown error across a boundary.
export type YokeError = { code: 'invalid-request' | 'not-found' | 'spec' | 'failed' | 'unavailable' | 'internal'; message: string; details?: unknown };
export type Result<T> = { ok: true; value: T } | { ok: false; error: YokeError };

// What every face gives the renderer as `window.yoke`, over IPC or the WebSocket.
export interface YokeClient {
  invoke<C extends CommandName>(command: C, request: Req<C>): Promise<Result<Res<C>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export function isCommandName(x: unknown): x is CommandName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(commands, x);
}
export function isEventName(x: unknown): x is EventName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(events, x);
}
