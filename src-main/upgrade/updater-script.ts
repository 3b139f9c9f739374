/** Where packages are dropped, relative to the data disk's root (the guest sees <data mount>/updates). */
export const UPDATES_DIR_ON_DATA = '/updates';

export const UPDATE_MARKERS = {
  applied: 'yoke-update: applied',
  refused: 'yoke-update: refused',
  trial: 'yoke-update: trial boot',
  committed: 'yoke-update: committed',
  fallback: 'yoke-update: fell back',
} as const;
