import { create } from 'zustand';

/** Whether every valid save of the open appliance starts build + test. Off by default: it boots VMs. */
export const useBuildOnSave = create<{ on: boolean; set(on: boolean): void }>((set) => ({
  on: false,
  set: (on) => set({ on }),
}));
