import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { invoke, subscribe } from '../../api/client';
import { installAdoptedStyles } from '../../lib/xterm-csp';

// VS Code's numbers: the engine pauses above 100,000 unacknowledged characters; we
// acknowledge in chunks of 5,000 once they are drawn.
const ACK_CHUNK = 5_000;

function theme() {
  return { background: cssVar('--term-bg', '#101216'), foreground: cssVar('--term-fg', '#d8dbe2'), cursor: cssVar('--accent', '#5b8cff') };
}

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

async function copySelection(term: Terminal): Promise<void> {
  const text = term.getSelection();
  if (text) await navigator.clipboard.writeText(text).catch(() => undefined);
}

async function pasteClipboard(term: Terminal): Promise<void> {
  const text = await navigator.clipboard.readText().catch(() => '');
  if (text) term.paste(text);
}

/** The VM's serial console in xterm.js, attached while shown, with acknowledged flow control. */
export function VmTerminal({ id, label }: { id: string; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    installAdoptedStyles();
    const term = new Terminal({
      convertEol: false,
      cursorBlink: true,
      fontFamily: cssVar('--font-mono', 'monospace'),
      fontSize: 13,
      scrollback: 5000,
      theme: theme(),
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    fit.fit();

    let disposed = false;
    let ready = false;
    const early: string[] = [];
    let drawn = 0;
    const write = (data: string) =>
      term.write(data, () => {
        drawn += data.length;
        if (drawn >= ACK_CHUNK && !disposed) {
          const chars = drawn;
          drawn = 0;
          void invoke('vms.ack', { id, chars });
        }
      });

    const offConsole = subscribe('vm.console', (p) => {
      if (p.id !== id) return;
      if (ready) write(p.data);
      else early.push(p.data);
    });
    void invoke('vms.attach', { id }).then((r) => {
      if (disposed) return;
      if (!r.ok) return setError(r.error.message);
      // The backlog came in the answer, not as flow-controlled events: draw it, then what arrived meanwhile.
      term.write(r.value.backlog);
      ready = true;
      for (const data of early.splice(0)) write(data);
    });

    const input = term.onData((data) => void invoke('vms.input', { id, data }));
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown' || !e.ctrlKey || !e.shiftKey) return true;
      if (e.code === 'KeyC') {
        void copySelection(term);
        return false;
      }
      if (e.code === 'KeyV') {
        void pasteClipboard(term);
        return false;
      }
      return true;
    });
    const resize = new ResizeObserver(() => {
      if (el.clientWidth > 0 && el.clientHeight > 0) fit.fit();
    });
    resize.observe(el);
    term.focus();
    // The colours come from the page's theme variables, which follow the system's light/dark setting.
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    const retheme = () => (term.options.theme = theme());
    scheme.addEventListener('change', retheme);

    return () => {
      disposed = true;
      scheme.removeEventListener('change', retheme);
      resize.disconnect();
      input.dispose();
      offConsole();
      term.dispose();
      void invoke('vms.detach', { id });
    };
  }, [id]);

  return (
    <div className="terminal-wrap">
      {error ? (
        <p className="notice notice-error" role="alert">
          Could not attach to the console: {error}
        </p>
      ) : null}
      <div className="terminal-toolbar muted small">Serial console. Copy: select, Ctrl+Shift+C. Paste: Ctrl+Shift+V.</div>
      <div ref={host} className="terminal-host" role="group" aria-label={`Terminal of ${label}`} />
    </div>
  );
}
