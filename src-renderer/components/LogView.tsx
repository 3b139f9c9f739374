import { useVirtualizer } from '@tanstack/react-virtual';
import { useDeferredValue, useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { FilteredIndex, type LevelFilter, type LogBuffer } from '../lib/log-buffer';

const ROW_HEIGHT = 18;
const LEVELS: LevelFilter[] = ['all', 'info', 'warn', 'error'];

function highlight(text: string, needle: string): ReactNode {
  if (!needle) return text;
  const lower = text.toLowerCase();
  const out: ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, from)) {
    if (at > from) out.push(text.slice(from, at));
    out.push(<mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  out.push(text.slice(from));
  return out;
}

function time(t: number): string {
  if (!t) return '';
  const d = new Date(t);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:${String(d.getSeconds()).padStart(2, '0')}`;
}

/**
 * A log of any length: the lines live in a LogBuffer outside React, only the rows on screen are
 * rendered, and the view follows the tail unless the user scrolled up.
 */
export function LogView({ buffer, version, label, empty }: { buffer: LogBuffer; version: number; label: string; empty?: string }) {
  const [level, setLevel] = useState<LevelFilter>('all');
  const [search, setSearch] = useState('');
  // Typing stays responsive: the filter follows the box when React has time.
  const needle = useDeferredValue(search.trim().toLowerCase());
  const [, setScanTick] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const following = useRef(true);
  const [detached, setDetached] = useState(false);
  const id = useId();

  const index = useMemo(() => new FilteredIndex(buffer, level, needle), [buffer, level, needle]);
  // At most ~8 ms of scanning per frame; the rest continues on the next frames.
  const count = index.update(performance.now() + 8);
  const complete = index.complete;
  useEffect(() => {
    if (complete) return;
    const frame = requestAnimationFrame(() => setScanTick((t) => t + 1));
    return () => cancelAnimationFrame(frame);
  });

  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  useLayoutEffect(() => {
    if (following.current && count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  }, [count, version, virtualizer]);

  // A smaller window must not hide the tail that was being followed.
  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (following.current && el.scrollHeight > el.clientHeight) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - ROW_HEIGHT;
    following.current = atEnd;
    setDetached(!atEnd);
  };

  const follow = () => {
    following.current = true;
    setDetached(false);
    if (count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  };

  return (
    <div className="logview">
      <div className="logview-toolbar">
        <div className="segmented" role="radiogroup" aria-label={`${label} level`}>
          {LEVELS.map((l) => (
            <button key={l} type="button" role="radio" aria-checked={level === l} className="segment" onClick={() => setLevel(l)}>
              {l === 'all' ? 'All' : l === 'info' ? 'Info+' : l === 'warn' ? 'Warnings+' : 'Errors'}
            </button>
          ))}
        </div>
        <label className="sr-only" htmlFor={id}>
          Search {label.toLowerCase()}
        </label>
        <input id={id} type="search" className="logview-search" placeholder="Search…" value={search} onChange={(e) => setSearch(e.target.value)} />
        <span className="muted small mono logview-count" aria-live="off">
          {index.active ? `${count.toLocaleString()}${complete ? '' : '+'} of ${buffer.length.toLocaleString()}` : `${buffer.length.toLocaleString()} lines`}
        </span>
        {detached ? (
          <button type="button" className="button small" onClick={follow}>
            Follow
          </button>
        ) : null}
      </div>
      <div ref={scroller} className="logview-rows" role="log" aria-label={label} aria-live="off" tabIndex={0} onScroll={onScroll}>
        {count === 0 ? <p className="logview-empty muted">{index.active && buffer.length > 0 ? 'No lines match.' : (empty ?? 'No lines yet.')}</p> : null}
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((row) => {
            const line = buffer.at(index.lineAt(row.index));
            if (!line) return null;
            return (
              <div key={row.key} className={`logline level-${line.level}`} style={{ transform: `translateY(${row.start}px)` }}>
                <span className="logline-time">{time(line.t)}</span>
                <span className="logline-text">{highlight(line.text, needle)}</span>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
