import { create } from 'zustand';

interface VmsSelection {
  /** VMs with an open Terminal tab, in the order they were opened. */
  tabs: string[];
  /** The Terminal tab shown, or null for the list of VMs. */
  active: string | null;
  openTerminal(id: string | null): void;
  closeTerminal(id: string): void;
}

export const useVmsSelection = create<VmsSelection>((set) => ({
  tabs: [],
  active: null,
  openTerminal: (id) => set((s) => ({ active: id, tabs: id === null || s.tabs.includes(id) ? s.tabs : [...s.tabs, id] })),
  closeTerminal: (id) => set((s) => ({ tabs: s.tabs.filter((t) => t !== id), active: s.active === id ? null : s.active })),
}));
