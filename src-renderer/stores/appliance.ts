import { create } from 'zustand';
import type { ApplianceSummary, Res } from '../../src-main/api/contract';
import { invoke } from '../api/client';

type Recent = Res<'appliance.recent'>;

interface ApplianceState {
  summary: ApplianceSummary | null;
  opening: boolean;
  /** The engine refused to open the folder (not found, unreadable…); spec problems live in summary. */
  error: string | null;
  recent: Recent;
  recentError: string | null;
  open(dir: string): Promise<void>;
  loadRecent(): Promise<void>;
}

export const useAppliance = create<ApplianceState>((set, get) => ({
  summary: null,
  opening: false,
  error: null,
  recent: [],
  recentError: null,
  async open(dir) {
    set({ opening: true, error: null });
    const r = await invoke('appliance.open', { dir });
    if (r.ok) set({ summary: r.value, opening: false });
    else set({ error: r.error.message, opening: false });
    void get().loadRecent();
  },
  async loadRecent() {
    const r = await invoke('appliance.recent', {});
    set(r.ok ? { recent: r.value, recentError: null } : { recentError: r.error.message });
  },
}));
