import { useEffect, useRef } from 'react';
import { subscribe, transport } from '../../api/client';
import { usePresent } from './present-store';
import './present.css';

/** Where the browser reaches a forwarded port: this machine, or the serve host it was loaded from. */
function hostName(): string {
  if (transport === 'ipc') return '127.0.0.1';
  const h = window.location.hostname;
  return h && h !== '0.0.0.0' ? h : '127.0.0.1';
}

/** A full-window, high-contrast view for demos: the appliance's links, big, and one-click reset. */
export function PresentView() {
  const { title, vm, phase, error, reset, exit, refresh } = usePresent();
  const exitButton = useRef<HTMLButtonElement>(null);

  useEffect(() => subscribe('vms.changed', () => void refresh()), [refresh]);
  useEffect(() => exitButton.current?.focus(), []);

  const busy = phase === 'booting' || phase === 'resetting';
  const host = hostName();
  const links = vm?.status === 'running' ? vm.forwards.map((f) => ({ guest: f.guest, url: `http://${host}:${f.host}/` })) : [];

  return (
    <section className="present" role="dialog" aria-modal="true" aria-label="Present mode" onKeyDown={(e) => e.key === 'Escape' && void exit()}>
      <header className="present-header">
        <h1 className="present-title">{title}</h1>
        <p className="present-state" role="status">
          {phase === 'booting' ? 'Booting a fresh copy…' : phase === 'resetting' ? 'Resetting to pristine…' : phase === 'failed' ? 'Could not boot' : vm?.status === 'running' ? 'Running · every change is thrown away on reset' : 'Stopped'}
        </p>
      </header>
      <div className="present-links">
        {error ? <p className="present-error">{error}</p> : null}
        {links.map((l) => (
          <a key={l.guest} className="present-link" href={l.url} target="_blank" rel="noreferrer">
            {l.url}
          </a>
        ))}
        {!error && links.length === 0 ? <p className="present-wait">{busy ? 'Starting…' : vm ? 'This appliance forwards no ports.' : ' '}</p> : null}
      </div>
      <footer className="present-actions">
        <button type="button" className="present-button" onClick={() => void reset()} disabled={busy}>
          Reset
        </button>
        <button type="button" ref={exitButton} className="present-button secondary" onClick={() => void exit()}>
          Exit
        </button>
      </footer>
    </section>
  );
}
