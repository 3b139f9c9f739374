import { create } from 'zustand';
import type { VmSummary } from '../../../src-main/api/contract';
import { invoke } from '../../api/client';

type Phase = 'booting' | 'running' | 'resetting' | 'stopped' | 'failed';

interface PresentState {
  buildId: number | null;
  title: string;
  vmId: string | null;
  vm: VmSummary | null;
  phase: Phase;
  error: string | null;
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
    set({ phase, error: null, vm: null, vmId: null });
    const r = await invoke('vms.boot', { buildId, snapshot: true });
    if (get().buildId !== buildId) {
      // Exited while booting: this VM is nobody's now.
      if (r.ok) void invoke('vms.stop', { id: r.value.vmId, force: true });
      return;
    }
    if (!r.ok) return set({ phase: 'failed', error: r.error.message });
    set({ vmId: r.value.vmId, phase: 'running' });
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
    async start(buildId, title) {
      set({ buildId, title });
      await boot('booting');
    },
    async reset() {
      await stop();
      await boot('resetting');
    },
    async exit() {
      const id = get().vmId;
      set({ buildId: null, phase: 'stopped' });
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
      if (vm && vm.status !== 'running' && get().phase === 'running') set({ phase: 'stopped' });
    },
  };
});
