import { SCREENS, useNavigation } from '../stores/navigation';

const ICONS: Record<string, string> = {
  appliances: 'M3 4h10v8H3z M5 2h6',
  builds: 'M2 13h12 M4 13V7h3v6 M9 13V4h3v9',
  vms: 'M2 3h12v8H2z M6 14h4 M8 11v3',
  // Two boxes and an arrow up between them: an old version lifted to a new one.
  upgrades: 'M2 10h5v4H2z M9 2h5v4H9z M4.5 10V7.5a3 3 0 0 1 3-3H9 M7.5 3L9 4.5L7.5 6',
  settings: 'M8 5.5a2.5 2.5 0 1 0 0 5a2.5 2.5 0 1 0 0-5z M8 1v2 M8 13v2 M1 8h2 M13 8h2 M3 3l1.5 1.5 M11.5 11.5L13 13 M3 13l1.5-1.5 M11.5 4.5L13 3',
};

export function Sidebar() {
  const { screen, go } = useNavigation();
  return (
    <nav className="sidebar" aria-label="Main">
      <ul>
        {SCREENS.map((s) => (
          <li key={s.id}>
            <button
              type="button"
              className="nav-item"
              aria-current={screen === s.id ? 'page' : undefined}
              aria-keyshortcuts={`Alt+${s.key}`}
              title={`${s.label} (Alt+${s.key})`}
              onClick={() => go(s.id)}
            >
              <svg className="nav-icon" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
                <path d={ICONS[s.id]} />
              </svg>
              <span>{s.label}</span>
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
