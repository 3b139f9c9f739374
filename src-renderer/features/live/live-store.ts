import { create } from 'zustand';
import type { EventPayload } from '../../../src-main/api/contract';
import { invoke, subscribe } from '../../api/client';

export type LiveCycle = Omit<EventPayload<'dev.cycle'>, 'jobId'> & { at: number };

interface LiveState {
  dir: string | null;
  jobId: string | null;
  status: 'off' | 'starting' | 'running' | 'stopping';
  error: string | null;
  vmId: string | null;
  buildId: number | null;
  forwards: { guest: number; host: number }[];
  /** Newest first, the last 20. */
  cycles: LiveCycle[];
  start(dir: string): Promise<void>;
  stop(): Promise<void>;
}

/** The live loop (engine job kind 'dev') for the open appliance, as its typed events arrive. */
export const useLive = create<LiveState>((set, get) => ({
  dir: null,
  jobId: null,
  status: 'off',
  error: null,
  vmId: null,
  buildId: null,
  forwards: [],
  cycles: [],
  async start(dir) {
    startLiveTracking();
    set({ dir, jobId: null, status: 'starting', error: null, vmId: null, buildId: null, forwards: [], cycles: [] });
    const r = await invoke('dev.start', { dir });
    if (!r.ok) return set({ status: 'off', error: r.error.message });
    set({ jobId: r.value.jobId });
  },
  async stop() {
    const { jobId } = get();
    if (!jobId) return;
    set({ status: 'stopping' });
    const r = await invoke('job.cancel', { jobId });
    if (!r.ok) set({ error: r.error.message });
  },
}));

let tracking = false;

export function startLiveTracking(): void {
  if (tracking) return;
  tracking = true;
  const mine = (jobId: string) => useLive.getState().jobId === jobId;
  subscribe('dev.ready', (p) => {
    if (mine(p.jobId)) useLive.setState({ status: 'running', vmId: p.vmId, buildId: p.buildId, forwards: p.forwards });
  });
  subscribe('dev.cycle', (p) => {
    if (!mine(p.jobId)) return;
    const { jobId: _j, ...c } = p;
    useLive.setState((s) => ({ cycles: [{ ...c, at: Date.now() }, ...s.cycles].slice(0, 20) }));
  });
  subscribe('vms.changed', () => {
    // A full test that passed clears the drift mark: read it off the VM itself.
    const { vmId } = useLive.getState();
    if (!vmId) return;
    void invoke('vms.list', {}).then((r) => {
      if (!r.ok) return;
      const vm = r.value.find((v) => v.id === vmId);
      const latest = useLive.getState().cycles[0];
      if (vm && latest && vm.diverged !== undefined && vm.diverged !== latest.diverged) {
        useLive.setState((s) => ({ cycles: [{ ...s.cycles[0], diverged: Boolean(vm.diverged) }, ...s.cycles.slice(1)] }));
      }
    });
  });
  subscribe('job.finished', (p) => {
    if (!mine(p.jobId)) return;
    useLive.setState({ status: 'off', vmId: null, forwards: [], error: p.status === 'failed' ? (p.error ?? 'the live loop stopped') : null });
  });
}
