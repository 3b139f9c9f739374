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

/**
 * Tab and Shift+Tab cycle inside the overlay (a modal dialog); Escape leaves Present mode. It
 * listens on the window: a button that disables itself (Reset) drops focus to the page, and the
 * keys must still work then.
 */
function trapFocus(e: KeyboardEvent, dialog: HTMLElement, exit: () => void): void {
  if (e.key === 'Escape') {
    e.preventDefault();
    exit();
    return;
  }
  if (e.key !== 'Tab') return;
  const focusable = [...dialog.querySelectorAll<HTMLElement>('a[href], button:not([disabled])')];
  if (focusable.length === 0) return;
  const first = focusable[0];
  const last = focusable[focusable.length - 1];
  const at = document.activeElement;
  if (!at || !dialog.contains(at) || at === dialog) {
    e.preventDefault();
    (e.shiftKey ? last : first).focus();
  } else if (e.shiftKey && at === first) {
    e.preventDefault();
    last.focus();
  } else if (!e.shiftKey && at === last) {
    e.preventDefault();
    first.focus();
  }
}

function CopyLink({ url }: { url: string }) {
  const copy = async (button: HTMLButtonElement) => {
    const ok = await navigator.clipboard.writeText(url).then(
      () => true,
      () => false,
    );
    button.textContent = ok ? 'Copied' : 'Select and copy';
    setTimeout(() => (button.textContent = 'Copy link'), 1500);
  };
  return (
    <button type="button" className="present-button small" aria-label={`Copy link ${url}`} onClick={(e) => void copy(e.currentTarget)}>
      Copy link
    </button>
  );
}

/** A full-window, high-contrast view for demos: the appliance's links, big, and one-click reset. */
export function PresentView() {
  const { title, vm, phase, error, note, reset, exit, refresh } = usePresent();
  const dialog = useRef<HTMLElement>(null);
  const resetButton = useRef<HTMLButtonElement>(null);

  useEffect(() => subscribe('vms.changed', () => void refresh()), [refresh]);
  // Focus moves into the overlay, and back where it was when the overlay closes.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.focus();
    return () => before?.focus?.();
  }, []);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => dialog.current && trapFocus(e, dialog.current, () => void usePresent.getState().exit());
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const busy = phase === 'booting' || phase === 'resetting';
  const host = hostName();
  const links = phase === 'running' && vm ? vm.forwards.map((f) => ({ guest: f.guest, url: `http://${host}:${f.host}/` })) : [];
  const state =
    phase === 'booting'
      ? 'Starting a fresh copy…'
      : phase === 'resetting'
        ? 'Resetting to pristine…'
        : phase === 'failed'
          ? 'Could not boot'
          : phase === 'running'
            ? 'Running · every change is thrown away on reset'
            : 'Stopped';

  return (
    <section
      ref={dialog}
      className="present"
      role="dialog"
      aria-modal="true"
      aria-label="Present mode"
      tabIndex={-1}
    >
      <header className="present-header">
        <h1 className="present-title">{title}</h1>
        <p className="present-state" role="status">
          {state}
        </p>
      </header>
      <div className="present-links">
        {error ? <p className="present-error">{error}</p> : null}
        {note ? <p className="present-note">{note}</p> : null}
        {links.map((l) => (
          <div key={l.guest} className="present-link-row">
            <a className="present-link" href={l.url} target="_blank" rel="noreferrer">
              {l.url}
            </a>
            <CopyLink url={l.url} />
          </div>
        ))}
        {!error && links.length === 0 ? <p className="present-wait">{busy ? 'Starting…' : vm ? 'This appliance forwards no ports.' : ' '}</p> : null}
      </div>
      <footer className="present-actions">
        <button type="button" ref={resetButton} className="present-button" onClick={() => void reset()} disabled={busy}>
          Reset
        </button>
        <button type="button" className="present-button secondary" onClick={() => void exit()} aria-keyshortcuts="Escape" title="Exit (Escape)">
          Exit
        </button>
        <span className="present-hint">Esc exits</span>
      </footer>
    </section>
  );
}
