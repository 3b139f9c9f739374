import { create } from 'zustand';
import { recall, remember } from '../lib/remember';

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

// The screen and tab survive a reload, with the open appliance (stores/appliance.ts).
const initialScreen = recall<Screen>('screen', 'appliances');

export const useNavigation = create<NavigationState>((set) => ({
  screen: SCREENS.some((s) => s.id === initialScreen) ? initialScreen : 'appliances',
  // Live is not restored: it shows a loop that a reload does not restart.
  applianceTab: recall<ApplianceTab>('applianceTab', 'overview') === 'build' ? 'build' : 'overview',
  go: (screen) => {
    remember('screen', screen);
    set({ screen });
  },
  showApplianceTab: (applianceTab) => {
    remember('applianceTab', applianceTab);
    set({ applianceTab });
  },
}));
