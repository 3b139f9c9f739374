import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import '@xterm/xterm/css/xterm.css';
import { useEffect, useRef, useState } from 'react';
import { invoke, subscribe } from '../../api/client';
import { installAdoptedStyles } from '../../lib/xterm-csp';
import { appendTranscript, resetTranscript, transcript } from './transcripts';

// VS Code's numbers: the engine pauses above 100,000 unacknowledged characters; we
// acknowledge in chunks of 5,000 once they are drawn.
const ACK_CHUNK = 5_000;
/** How long a resize settles before the guest is told (dragging a window fires many). */
const RESIZE_SETTLE_MS = 150;

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

/**
 * The VM's serial console in xterm.js, attached while shown, with acknowledged flow control.
 * The guest learns the window size through vms.resize (its own serial port, see
 * src-main/build/init.ts) when the terminal opens and whenever it resizes. Ctrl+M switches
 * Tab focus mode, in which Tab and Shift+Tab leave the terminal instead of reaching the guest. A VM that stopped shows its transcript, read-only.
 */
export function VmTerminal({ id, label, running }: { id: string; label: string; running: boolean }) {
  const host = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  const [tabFocus, setTabFocus] = useState(false);
  const tabFocusRef = useRef(false);
  tabFocusRef.current = tabFocus;

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    installAdoptedStyles();
    const term = new Terminal({
      convertEol: false,
      cursorBlink: running,
      disableStdin: !running,
      fontFamily: cssVar('--font-mono', 'monospace'),
      fontSize: 13,
      scrollback: 5000,
      theme: theme(),
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    fit.fit();
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    const retheme = () => (term.options.theme = theme());
    scheme.addEventListener('change', retheme);

    if (!running) {
      // Powered off: what it printed stays readable; nothing can be typed.
      term.write(transcript(id) ?? '');
      const resize = new ResizeObserver(() => el.clientWidth > 0 && el.clientHeight > 0 && fit.fit());
      resize.observe(el);
      return () => {
        resize.disconnect();
        scheme.removeEventListener('change', retheme);
        term.dispose();
      };
    }

    let disposed = false;
    let ready = false;
    // Answers xterm.js gives to queries inside the backlog (cursor position reports…) are stale:
    // sent now they would land on the prompt as stray characters.
    let replaying = true;
    const early: string[] = [];
    let drawn = 0;
    const write = (data: string) => {
      appendTranscript(id, data);
      term.write(data, () => {
        drawn += data.length;
        if (drawn >= ACK_CHUNK && !disposed) {
          const chars = drawn;
          drawn = 0;
          void invoke('vms.ack', { id, chars });
        }
      });
    };
    const tellSize = () => {
      if (!disposed) void invoke('vms.resize', { id, rows: term.rows, cols: term.cols });
    };

    const offConsole = subscribe('vm.console', (p) => {
      if (p.id !== id) return;
      if (ready) write(p.data);
      else early.push(p.data);
    });
    void invoke('vms.attach', { id }).then((r) => {
      if (disposed) return;
      if (!r.ok) return setError(r.error.message);
      // The backlog came in the answer, not as flow-controlled events: draw it, then what arrived meanwhile.
      resetTranscript(id, r.value.backlog);
      term.write(r.value.backlog, () => {
        replaying = false;
      });
      tellSize();
      ready = true;
      for (const data of early.splice(0)) write(data);
    });

    const input = term.onData((data) => {
      if (!replaying) void invoke('vms.input', { id, data });
    });
    term.attachCustomKeyEventHandler((e) => {
      if (e.type !== 'keydown') return true;
      // Ctrl+M: Tab focus mode on or off (as in VS Code); Enter still sends a carriage return.
      if (e.ctrlKey && !e.shiftKey && !e.altKey && !e.metaKey && e.code === 'KeyM') {
        e.preventDefault();
        setTabFocus((on) => !on);
        return false;
      }
      // In Tab focus mode, Tab and Shift+Tab move focus like anywhere else in the app.
      if (tabFocusRef.current && e.key === 'Tab' && !e.ctrlKey && !e.altKey && !e.metaKey) return false;
      // Alt+1…5 switch screens, here too (the app listens on the window).
      if (e.altKey && !e.ctrlKey && !e.metaKey && /^Digit[1-5]$/.test(e.code)) return false;
      if (!e.ctrlKey || !e.shiftKey) return true;
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
    let settle: ReturnType<typeof setTimeout> | undefined;
    const resize = new ResizeObserver(() => {
      if (el.clientWidth === 0 || el.clientHeight === 0) return;
      const before = `${term.cols}x${term.rows}`;
      fit.fit();
      if (`${term.cols}x${term.rows}` === before) return;
      clearTimeout(settle);
      settle = setTimeout(tellSize, RESIZE_SETTLE_MS);
    });
    resize.observe(el);
    term.focus();

    return () => {
      disposed = true;
      clearTimeout(settle);
      scheme.removeEventListener('change', retheme);
      resize.disconnect();
      input.dispose();
      offConsole();
      term.dispose();
      void invoke('vms.detach', { id });
    };
  }, [id, running]);

  return (
    <div className="terminal-wrap">
      {error ? (
        <p className="notice notice-error" role="alert">
          Could not attach to the console: {error}
        </p>
      ) : null}
      {running ? (
        <div className="terminal-toolbar muted small" id={`terminal-help-${id}`}>
          Serial console. Copy: select, Ctrl+Shift+C. Paste: Ctrl+Shift+V.{' '}
          <span className={tabFocus ? 'tab-focus-on' : undefined}>
            {tabFocus ? 'Tab focus mode on: Tab and Shift+Tab leave the terminal (Ctrl+M to turn off).' : 'Ctrl+M: Tab focus mode, so Tab and Shift+Tab leave the terminal.'}
          </span>
        </div>
      ) : (
        <p className="notice notice-quiet terminal-toolbar" role="status">
          Powered off. This is what its console printed while a terminal showed it.
        </p>
      )}
      <div ref={host} className="terminal-host" role="group" aria-label={`Terminal of ${label}`} aria-describedby={running ? `terminal-help-${id}` : undefined} />
    </div>
  );
}
