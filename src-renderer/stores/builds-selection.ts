import { create } from 'zustand';

interface BuildsSelection {
  /** The build whose details are open in Builds. */
  selected: number | null;
  select(id: number | null): void;
}

/** Which build Builds shows; other screens set it to jump to one build. */
export const useBuildsSelection = create<BuildsSelection>((set) => ({
  selected: null,
  select: (selected) => set({ selected }),
}));
