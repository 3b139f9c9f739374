import type { Engine } from '../api/engine';
import type { CliContext } from './types';
import { printable } from './printable';

/**
 * Follows one job's events on stderr: a one-line progress bar on a terminal, plain stage
 * lines otherwise (CI logs). Log lines are shown with --verbose, and warnings/errors always.
 */
export function followJob(engine: Engine, ctx: CliContext, jobId: string, opts: { verbose?: boolean } = {}): () => void {
  let lastStage = '';
  let barShown = false;
  const clearBar = () => {
    if (barShown) ctx.err('\r\x1b[2K');
    barShown = false;
  };
  const off = engine.on((event, payload) => {
    if ((payload as { jobId?: string }).jobId !== jobId) return;
    if (event === 'job.progress') {
      const p = payload as { stage: string; fraction: number; message?: string };
      if (ctx.tty) {
        const width = 24;
        const filled = Math.round(p.fraction * width);
        const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
        ctx.err(`\r\x1b[2K${bar} ${String(Math.round(p.fraction * 100)).padStart(3)}%  ${p.stage}${p.message ? `: ${printable(p.message)}` : ''}`.slice(0, 200));
        barShown = true;
      } else if (p.stage !== lastStage) {
        // Without a terminal (CI logs), one line per stage: a bar redrawn in place would be noise.
        ctx.err(`• ${p.stage}${p.message ? `: ${printable(p.message)}` : ''}\n`);
      }
      lastStage = p.stage;
    } else if (event === 'job.log') {
      const lines = (payload as { lines: { level: string; text: string }[] }).lines;
      const shown = lines.filter((l) => opts.verbose || l.level === 'warn' || l.level === 'error');
      if (shown.length === 0) return;
      clearBar();
      ctx.err(shown.map((l) => printable(l.level === 'info' || l.level === 'debug' ? l.text : `${l.level}: ${l.text}`)).join('\n') + '\n');
    } else if (event === 'job.finished') {
      clearBar();
    }
  });
  return () => {
    clearBar();
    off();
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
