import { create } from 'zustand';
import type { ApplianceSummary, Res } from '../../src-main/api/contract';
import { invoke } from '../api/client';
import { recall, remember } from '../lib/remember';

type Recent = Res<'appliance.recent'>;

interface ApplianceState {
  summary: ApplianceSummary | null;
  opening: boolean;
  /** The engine refused to open the folder (not found, no appliance.yaml…); spec problems live in summary. */
  error: string | null;
  recent: Recent;
  recentError: string | null;
  open(dir: string): Promise<boolean>;
  loadRecent(): Promise<void>;
  /** Reopens the appliance that was open before a reload, if it still opens. */
  restore(): Promise<void>;
}

// Recent is keyed by folder: the engine remembers one folder per appliance name, so a second
// folder of the same appliance (one per version, say) would replace the first. The window keeps
// its own list by folder and merges the engine's into it.
const MAX_RECENT = 20;

function mergeRecent(local: Recent, engine: Recent): Recent {
  const byDir = new Map<string, Recent[number]>();
  for (const r of [...engine, ...local]) {
    const had = byDir.get(r.dir);
    if (!had || Date.parse(r.lastOpened) > Date.parse(had.lastOpened)) byDir.set(r.dir, r);
  }
  return [...byDir.values()].sort((a, b) => Date.parse(b.lastOpened) - Date.parse(a.lastOpened)).slice(0, MAX_RECENT);
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
    if (r.ok) {
      set({ summary: r.value, opening: false });
      remember('openAppliance', r.value.dir);
      if (r.value.name) {
        const entry = { name: r.value.name, dir: r.value.dir, lastOpened: new Date().toISOString() };
        remember('recent', mergeRecent([entry], recall<Recent>('recent', [])));
      }
    } else set({ error: r.error.message, opening: false });
    void get().loadRecent();
    return r.ok;
  },
  async loadRecent() {
    const r = await invoke('appliance.recent', {});
    const local = recall<Recent>('recent', []);
    set(r.ok ? { recent: mergeRecent(local, r.value), recentError: null } : { recent: local, recentError: r.error.message });
  },
  async restore() {
    const dir = recall<string | null>('openAppliance', null);
    if (!dir || get().summary) return;
    const r = await invoke('appliance.open', { dir });
    // A folder that went away since is forgotten quietly: nothing was asked of the person.
    if (r.ok && !get().summary) set({ summary: r.value });
    else if (!r.ok) remember('openAppliance', null);
  },
}));
