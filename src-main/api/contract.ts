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

export const CheckResult = z.object({
  name: z.string(),
  kind: z.string(),
  status: z.enum(['passed', 'failed']),
  message: z.string(),
  durationMs: z.number(),
  phase: z.string().optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const BuildSummary = z.object({
  id: z.number().int(),
  appliance: z.string(),
  version: z.string(),
  status: z.string(),
  createdAt: z.string(),
  durationMs: z.number().nullable(),
  bytes: z.number().nullable(),
  released: z.boolean(),
  error: z.string().nullable().optional(),
  // The outcome of the build's latest test run ('not-run' when it was never tested): a build
  // that built but failed its test must never read as a plain success.
  testStatus: z.enum(['passed', 'failed', 'not-run', 'interrupted', 'running', 'cancelled']).optional(),
});
export type BuildSummary = z.infer<typeof BuildSummary>;
export type TestStatus = NonNullable<BuildSummary['testStatus']>;

// A build's stored check result, with the run that produced it: its own test, or an upgrade
// test that ended on it (whose checks ran against the upgraded copy).
export const BuildCheck = CheckResult.extend({
  runId: z.number().int(),
  runKind: z.enum(['test', 'upgrade']),
  fromBuildId: z.number().int().nullable().optional(),
});
export type BuildCheck = z.infer<typeof BuildCheck>;

export const BuildDetail = BuildSummary.extend({
  inputsHash: z.string().nullable(),
  dir: z.string().nullable(),
  logPath: z.string().nullable(),
  stages: z.array(StageRow),
  artifacts: z.array(ArtifactRow),
  checks: z.array(BuildCheck),
  // The sum of the artifacts' used bytes (see ArtifactRow.usedBytes).
  usedBytes: z.number().optional(),
});
export type BuildDetail = z.infer<typeof BuildDetail>;

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
});
export type VmSummary = z.infer<typeof VmSummary>;

// ---------- new appliance, compare (wizard, compare view) ----------

export const WizardCheck = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('service'), service: z.string() }),
  z.object({ kind: z.literal('port'), port: z.number().int() }),
  z.object({ kind: z.literal('http'), port: z.number().int(), path: z.string(), status: z.number().int(), contains: z.string().optional() }),
  z.object({ kind: z.literal('mount'), path: z.string() }),
  z.object({ kind: z.literal('file'), path: z.string(), contains: z.string().optional() }),
  z.object({ kind: z.literal('command'), run: z.string(), stdout: z.string().optional() }),
]);
export type WizardCheck = z.infer<typeof WizardCheck>;

export const CreateApplianceRequest = z
  .object({
    dir: z.string().min(1),
    name: z.string(),
    version: z.string(),
    description: z.string().optional(),
    template: z.enum(['web', 'empty']),
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
export const BuildComparison = z.object({
  a: CompareSide,
  b: CompareSide,
  specDiff: z.array(DiffLine),
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
    response: z.object({ version: z.string(), home: z.string(), face: z.enum(['electron', 'web', 'cli']), sample: z.string() }),
  },
  'host.doctor': {
    request: z.object({ refresh: z.boolean().optional() }).strict(),
    response: DoctorReport,
  },
  'appliance.open': {
    request: z.object({ dir: z.string().min(1) }).strict(),
    response: ApplianceSummary,
  },
  'appliance.pickFolder': {
    // Electron shows a native dialog; other faces answer { dir: null } and the UI asks for a path.
    request: Empty,
    response: z.object({ dir: z.string().nullable() }),
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
        strict: z.boolean().optional(),
        // Make the diff update package against this older build (default: the parent build).
        diffFrom: z.number().int().optional(),
      })
      .strict(),
    response: JobRef,
  },
  'test.start': {
    request: z.object({ dir: z.string().optional(), buildId: z.number().int().optional() }).strict(),
    response: JobRef,
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
  'vms.list': {
    request: Empty,
    response: z.array(VmSummary),
  },
  'vms.boot': {
    // Boots a build for a person: forwarded ports, serial console; snapshot discards all writes.
    // hostPorts: guest port → host port to reuse (Present mode's Reset keeps the links it showed).
    request: z
      .object({ buildId: z.number().int(), snapshot: z.boolean().optional(), hostPorts: z.array(z.object({ guest: z.number().int(), host: z.number().int() })).optional() })
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
    response: z.object({ lines: z.array(z.string()), truncated: z.boolean() }),
  },
  'upgrades.matrix': {
    // Released builds (rows) against candidate builds (columns), with the latest upgrade run of each pair.
    request: z.object({ appliance: z.string().min(1) }).strict(),
    response: z.object({
      candidates: z.array(BuildSummary),
      rows: z.array(BuildSummary),
      cells: z.array(z.object({ fromBuildId: z.number().int(), toBuildId: z.number().int(), status: z.enum(['passed', 'failed', 'not-run']), runId: z.number().int().optional() })),
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
      method: z.enum(['swap', 'package']).optional(), // inferred from the steps that ran; absent when it failed too early to tell
      status: z.enum(['running', 'passed', 'failed', 'cancelled', 'interrupted']),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      checks: z.array(CheckResult),
      consoleLogs: z.object({ old: z.string(), new: z.string() }),
      consoleTruncated: z.object({ old: z.boolean(), new: z.boolean() }),
    }),
  },
  'upgrades.run': {
    request: z.object({ fromBuildIds: z.array(z.number().int()).min(1), toBuildId: z.number().int(), method: z.enum(['swap', 'package']).optional() }).strict(),
    response: JobRef,
  },
  'appliance.create': {
    // The "New appliance" wizard: writes a commented appliance.yaml (validated first) and its overlay.
    request: CreateApplianceRequest,
    response: ApplianceSummary,
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
  'vms.stop': {
    request: z.object({ id: z.string(), force: z.boolean().optional() }).strict(),
    response: z.object({ stopped: z.boolean() }),
  },
} as const;

// ---------- events: pushed from the engine to every subscribed face ----------

export const events = {
  'job.started': z.object({ jobId: z.string(), kind: z.string(), title: z.string(), buildId: z.number().int().optional() }),
  'job.progress': z.object({
    jobId: z.string(),
    stage: z.string(),
    fraction: z.number().min(0).max(1),
    message: z.string().optional(),
  }),
  // Lines are batched: one event carries many lines (see src-main/util/batcher.ts).
  'job.log': z.object({
    jobId: z.string(),
    lines: z.array(z.object({ t: z.number(), level: z.enum(['debug', 'info', 'warn', 'error']), text: z.string() })),
  }),
  'job.finished': z.object({
    jobId: z.string(),
    status: z.enum(['succeeded', 'failed', 'cancelled']),
    error: z.string().optional(),
    buildId: z.number().int().optional(),
  }),
  'vms.changed': z.object({}),
  // A watched appliance folder changed on disk (debounced); the spec re-validated.
  'appliance.changed': z.object({ dir: z.string(), summary: ApplianceSummary }),
  'builds.changed': z.object({ id: z.number().int() }),
  'vm.console': z.object({ id: z.string(), data: z.string() }),
  // A check of a running test: which one is waiting, for how long, and how it ended.
  'test.check': z.object({
    jobId: z.string(),
    name: z.string(),
    kind: z.string(),
    state: z.enum(['waiting', 'passed', 'failed']),
    elapsedMs: z.number(),
    message: z.string().optional(),
    phase: z.string().optional(),
    // While waiting: what the last failed try saw, so a check that will fail says why early.
    lastSeen: z.string().optional(),
    // The check's line in appliance.yaml, so the UI can point at it.
    line: z.number().int().optional(),
  }),
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
