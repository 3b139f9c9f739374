import { create } from 'zustand';
import { invoke, subscribe } from '../../api/client';
import type { CheckView } from '../../stores/run';

export type UpgradeMethod = 'swap' | 'package';

export type LiveCheck = CheckView;

/** An upgrade job started from this screen, as its events arrive. */
export interface UpgradeJob {
  jobId: string;
  toBuildId: number;
  fromBuildIds: number[];
  method: UpgradeMethod;
  status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  stage: string;
  message: string;
  /** The job's one progress figure, null while it cannot be known. */
  fraction: number | null;
  /** The OLD build being upgraded now (from the upgrade.pair event). */
  currentFrom: number | null;
  /** Pairs finished so far (each new pair ends the previous one). */
  done: number;
  checks: LiveCheck[];
  error?: string;
}

export interface CellRef {
  fromBuildId: number;
  toBuildId: number;
}

interface UpgradesState {
  appliance: string | null;
  candidateId: number | null;
  method: UpgradeMethod;
  /** The machine both halves boot on: '' is the default (virtio, the build's own disks). */
  hardware: string;
  setHardware(h: string): void;
  selected: CellRef | null;
  job: UpgradeJob | null;
  startError: string | null;
  /** Bumped whenever the matrix should be read again (a pair or the job finished). */
  matrixVersion: number;
  setAppliance(name: string): void;
  setCandidate(id: number | null): void;
  setMethod(m: UpgradeMethod): void;
  select(cell: CellRef | null): void;
  run(fromBuildIds: number[], toBuildId: number): Promise<void>;
  cancel(): Promise<void>;
}

export const useUpgrades = create<UpgradesState>((set, get) => ({
  appliance: null,
  candidateId: null,
  method: 'swap',
  hardware: '',
  setHardware: (hardware) => set({ hardware }),
  selected: null,
  job: null,
  startError: null,
  matrixVersion: 0,
  setAppliance: (appliance) => set((s) => (s.appliance === appliance ? s : { appliance, candidateId: null, selected: null })),
  setCandidate: (candidateId) => set({ candidateId }),
  setMethod: (method) => set({ method }),
  select: (selected) => set({ selected }),
  async run(fromBuildIds, toBuildId) {
    startTracking();
    const method = get().method;
    set({ startError: null });
    const hardware = get().hardware;
    const r = await invoke('upgrades.run', { fromBuildIds, toBuildId, method, ...(hardware ? { hardware } : {}) });
    if (!r.ok) {
      set({ startError: r.error.message });
      return;
    }
    set({
      job: { jobId: r.value.jobId, toBuildId, fromBuildIds, method, status: 'running', stage: 'starting', message: '', fraction: 0, currentFrom: null, done: 0, checks: [] },
    });
  },
  async cancel() {
    const job = get().job;
    if (job) await invoke('job.cancel', { jobId: job.jobId });
  },
}));

function patchJob(jobId: string, patch: (j: UpgradeJob) => Partial<UpgradeJob>, bump = false): void {
  useUpgrades.setState((s) => {
    if (!s.job || s.job.jobId !== jobId) return s;
    return { job: { ...s.job, ...patch(s.job) }, matrixVersion: bump ? s.matrixVersion + 1 : s.matrixVersion };
  });
}

let tracking = false;

/** Subscribes once, for the life of the page: a job outlives the screen that started it. */
export function startTracking(): void {
  if (tracking) return;
  tracking = true;
  subscribe('job.progress', (p) => patchJob(p.jobId, () => ({ stage: p.phase, message: p.message ?? '', fraction: p.fraction })));
  subscribe('upgrade.pair', (p) => patchJob(p.jobId, () => ({ currentFrom: p.fromBuildId, checks: [], done: p.index }), p.index > 0));
  subscribe('test.check', (p) =>
    patchJob(p.jobId, (j) => {
      const key = (c: { phase?: string; name: string }) => `${c.phase ?? ''}/${c.name}`;
      const { jobId: _job, runId: _run, ...check } = p;
      const item: LiveCheck = { ...check, seenAt: Date.now() };
      const at = j.checks.findIndex((c) => key(c) === key(item) && c.status === 'waiting');
      return { checks: at === -1 ? [...j.checks, item] : j.checks.map((c, i) => (i === at ? item : c)) };
    }),
  );
  subscribe('job.finished', (p) => {
    patchJob(p.jobId, (j) => ({ status: p.status, error: p.error, ...(p.status === 'succeeded' ? { fraction: 1, done: j.fromBuildIds.length } : {}), currentFrom: null }), true);
    // A job started elsewhere (the CLI on the same home) may have filled cells too.
    useUpgrades.setState((s) => (s.job?.jobId === p.jobId ? s : { matrixVersion: s.matrixVersion + 1 }));
  });
  subscribe('builds.changed', () => useUpgrades.setState((s) => ({ matrixVersion: s.matrixVersion + 1 })));
}
