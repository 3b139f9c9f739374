import { create } from 'zustand';

interface VmsSelection {
  /** The VM whose Terminal tab is open, or null for the list. */
  terminal: string | null;
  openTerminal(id: string | null): void;
}

export const useVmsSelection = create<VmsSelection>((set) => ({
  terminal: null,
  openTerminal: (terminal) => set({ terminal }),
}));
