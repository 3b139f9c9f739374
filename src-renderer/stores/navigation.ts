import { create } from 'zustand';

export type Screen = 'appliances' | 'builds' | 'vms' | 'upgrades' | 'settings';

// The order of the left navigation.
export const SCREENS: ReadonlyArray<{ id: Screen; label: string; key: string }> = [
  { id: 'appliances', label: 'Appliances', key: '1' },
  { id: 'builds', label: 'Builds', key: '2' },
  { id: 'vms', label: 'VMs', key: '3' },
  { id: 'upgrades', label: 'Upgrades', key: '4' },
  { id: 'settings', label: 'Settings', key: '5' },
];

export type ApplianceTab = 'overview' | 'build' | 'live';

interface NavigationState {
  screen: Screen;
  /** Which view of the open appliance Appliances shows. */
  applianceTab: ApplianceTab;
  go(screen: Screen): void;
  showApplianceTab(tab: ApplianceTab): void;
}

export const useNavigation = create<NavigationState>((set) => ({
  screen: 'appliances',
  applianceTab: 'overview',
  go: (screen) => set({ screen }),
  showApplianceTab: (applianceTab) => set({ applianceTab }),
}));
