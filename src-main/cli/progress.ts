import type { EventName, EventPayload } from '../api/contract';
import type { CliContext } from './types';
import { printable } from './printable';

/**
 * Shows one job's events on stderr: a one-line progress bar on a terminal, plain phase lines
 * otherwise (CI logs). Log lines are shown with --verbose, and warnings/errors always.
 */
export function followJob(ctx: CliContext, opts: { verbose?: boolean } = {}): (event: EventName, payload: unknown) => void {
  let lastPhase = '';
  let barShown = false;
  const clearBar = () => {
    if (barShown) ctx.err('\r\x1b[2K');
    barShown = false;
  };
  return (event, payload) => {
    if (event === 'job.progress') {
      const p = payload as EventPayload<'job.progress'>;
      const message = p.message ? `: ${printable(p.message)}` : '';
      if (ctx.tty) {
        const width = 24;
        const bar =
          p.fraction === null ? '░'.repeat(width) + '    ' : `${'█'.repeat(Math.round(p.fraction * width))}${'░'.repeat(width - Math.round(p.fraction * width))} ${String(Math.round(p.fraction * 100)).padStart(3)}%`;
        ctx.err(`\r\x1b[2K${bar}  ${printable(p.phase)}${message}`.slice(0, 200));
        barShown = true;
      } else if (p.phase !== lastPhase) {
        // Without a terminal (CI logs), one line per phase: a bar redrawn in place would be noise.
        ctx.err(`• ${printable(p.phase)}${message}\n`);
      }
      lastPhase = p.phase;
    } else if (event === 'job.log') {
      const lines = (payload as EventPayload<'job.log'>).lines;
      const shown = lines.filter((l) => opts.verbose || l.level === 'warn' || l.level === 'error');
      if (shown.length === 0) return;
      clearBar();
      ctx.err(shown.map((l) => printable(l.level === 'info' || l.level === 'debug' ? l.text : `${l.level}: ${l.text}`)).join('\n') + '\n');
    } else if (event === 'job.finished') {
      clearBar();
    }
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
