import { create } from 'zustand';
import type { VmSummary } from '../../../src-main/api/contract';
import { invoke } from '../../api/client';

type Phase = 'booting' | 'running' | 'resetting' | 'stopped' | 'failed';
type HostPort = { guest: number; host: number };

interface PresentState {
  buildId: number | null;
  title: string;
  vmId: string | null;
  vm: VmSummary | null;
  phase: Phase;
  error: string | null;
  /** Said when Reset could not get the same host ports back (something else took them). */
  note: string | null;
  /** The host ports the audience was shown: Reset asks for the same ones, so open links keep working. */
  hostPorts: HostPort[];
  start(buildId: number, title: string): Promise<void>;
  reset(): Promise<void>;
  exit(): Promise<void>;
  refresh(): Promise<void>;
}

/**
 * Present mode: one throwaway snapshot VM of a build. Every write lands in a scratch overlay,
 * so stopping it and booting again is a complete reset to the build as released.
 */
export const usePresent = create<PresentState>((set, get) => {
  const boot = async (phase: Phase) => {
    const buildId = get().buildId;
    if (buildId === null) return;
    const hostPorts = get().hostPorts;
    set({ phase, error: null, note: null, vm: null, vmId: null });
    let r = await invoke('vms.boot', { buildId, snapshot: true, ...(hostPorts.length ? { hostPorts } : {}) });
    if (!r.ok && hostPorts.length && get().buildId === buildId) {
      // The old ports are taken: boot anyway, on new ones, and say the links changed.
      r = await invoke('vms.boot', { buildId, snapshot: true });
      if (r.ok) set({ note: 'The previous ports were taken, so the links changed.' });
    }
    if (get().buildId !== buildId) {
      // Exited while booting: this VM is nobody's now.
      if (r.ok) void invoke('vms.stop', { id: r.value.vmId, force: true });
      return;
    }
    if (!r.ok) return set({ phase: 'failed', error: r.error.message });
    // Still booting: "running" only once the guest says its services are up (refresh).
    set({ vmId: r.value.vmId });
    await get().refresh();
  };
  const stop = async () => {
    const id = get().vmId;
    if (!id) return;
    set({ vmId: null, vm: null });
    // force: a throwaway snapshot has nothing worth a clean shutdown, and reset must be quick.
    const r = await invoke('vms.stop', { id, force: true });
    if (!r.ok) set({ error: r.error.message });
  };
  return {
    buildId: null,
    title: '',
    vmId: null,
    vm: null,
    phase: 'stopped',
    error: null,
    note: null,
    hostPorts: [],
    async start(buildId, title) {
      set({ buildId, title, hostPorts: [] });
      await boot('booting');
    },
    async reset() {
      await stop();
      await boot('resetting');
    },
    async exit() {
      const id = get().vmId;
      set({ buildId: null, phase: 'stopped', hostPorts: [] });
      if (id) {
        set({ vmId: id });
        await stop();
      }
    },
    async refresh() {
      const id = get().vmId;
      if (!id) return;
      const r = await invoke('vms.list', {});
      if (!r.ok || get().vmId !== id) return;
      const vm = r.value.find((v) => v.id === id) ?? null;
      set({ vm });
      if (vm) set({ hostPorts: vm.forwards });
      const phase = get().phase;
      if (vm?.status === 'ready' && (phase === 'booting' || phase === 'resetting')) set({ phase: 'running' });
      if (!vm && phase === 'running') set({ phase: 'stopped' });
    },
  };
});
