import { useEffect } from 'react';
import { AppliancesScreen } from '../features/appliances/AppliancesScreen';
import { BuildsScreen } from '../features/builds/BuildsScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { VmsScreen } from '../features/vms/VmsScreen';
import { UpgradesScreen } from '../features/upgrades/UpgradesScreen';
import { useBuildOnSave } from '../features/appliances/build-on-save';
import { useApplianceWatch } from '../features/appliances/useApplianceWatch';
import { PresentView } from '../features/present/PresentView';
import { usePresent } from '../features/present/present-store';
import { useAppliance } from '../stores/appliance';
import { SCREENS, useNavigation, type Screen } from '../stores/navigation';
import { Logo } from './Logo';
import { Sidebar } from './Sidebar';
import { StatusBar } from './StatusBar';

const SCREEN_VIEWS: Record<Screen, () => React.JSX.Element> = {
  appliances: AppliancesScreen,
  builds: BuildsScreen,
  vms: VmsScreen,
  upgrades: UpgradesScreen,
  settings: SettingsScreen,
};

export function App() {
  const screen = useNavigation((s) => s.screen);
  const go = useNavigation((s) => s.go);
  const current = useAppliance((s) => s.summary);
  // The open appliance is watched whichever screen shows, so build on save keeps working.
  useApplianceWatch(useBuildOnSave((s) => s.on));
  const presenting = usePresent((s) => s.buildId !== null);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const target = SCREENS.find((s) => s.key === e.key);
      if (target) {
        e.preventDefault();
        go(target.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [go]);

  const View = SCREEN_VIEWS[screen];
  return (
    <div className="app">
      <header className="titlebar">
        <span className="brand">
          <Logo />
          <span className="brand-name">Yoke</span>
        </span>
        {current?.name ? (
          <span className="titlebar-context">
            <span className="muted">/</span> {current.name} <span className="muted mono">{current.version}</span>
          </span>
        ) : null}
      </header>
      <Sidebar />
      <main className="content" id="main">
        <View />
      </main>
      <StatusBar />
      {presenting ? <PresentView /> : null}
    </div>
  );
}
