import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import { CopyButton } from '../../components/CopyButton';
import { cleanConsole } from './console-text';

type Which = 'old' | 'new';
const TABS: ReadonlyArray<{ id: Which; label: string }> = [
  { id: 'old', label: 'Old boot' },
  { id: 'new', label: 'New boot' },
];

/** The serial consoles of both boots of an upgrade, one tab each. */
export function ConsoleTabs({ logs, truncated }: { logs: { old: string; new: string }; truncated: { old: boolean; new: boolean } }) {
  const [tab, setTab] = useState<Which>('old');
  const id = useId();
  // Arrow keys move between tabs, as a tablist should.
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    e.preventDefault();
    const next = tab === 'old' ? 'new' : 'old';
    setTab(next);
    document.getElementById(`${id}-tab-${next}`)?.focus();
  };
  const text = useMemo(() => cleanConsole(logs[tab]), [logs, tab]);
  const label = TABS.find((t) => t.id === tab)!.label;
  return (
    <div className="console-tabs">
      <div className="console-tabs-bar">
        <div className="tabs" role="tablist" aria-label="Console logs" onKeyDown={onKey}>
          {TABS.map((t) => (
            <button
              key={t.id}
              id={`${id}-tab-${t.id}`}
              type="button"
              role="tab"
              className="tab"
              aria-selected={tab === t.id}
              aria-controls={`${id}-panel`}
              tabIndex={tab === t.id ? 0 : -1}
              onClick={() => setTab(t.id)}
            >
              {t.label}
            </button>
          ))}
        </div>
        <span className="muted small">{truncated[tab] ? 'last 200 KB' : `${text.replace(/\n$/, '').split('\n').length.toLocaleString()} lines`}</span>
        {text ? <CopyButton value={text} label={`Copy the ${label.toLowerCase()} console`} /> : null}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${tab}`}>
        <pre className="console-log" tabIndex={0} aria-label={`${label} console`}>
          {text || 'Nothing was printed: this boot did not happen.'}
        </pre>
      </div>
    </div>
  );
}
