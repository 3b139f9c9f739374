// `upgrades.run.get`: one cell of the upgrade matrix opened, with what the upgrade test left
// behind: the check results (each with its phase) and the serial consoles of both boots, which
// upgrade-test.ts writes to runs/<id>/old-console.log and new-console.log.
import fs from 'node:fs';
import path from 'node:path';
import type { BuildSummary, Res } from './contract';
import type { ApiContext as Engine } from './context';
import { EngineError } from './errors';
import { iso, isoOrNull } from '../store/time';

/** Each console log is cut to its last 200 KB: the end of a boot is where an upgrade breaks. */
export const CONSOLE_TAIL_BYTES = 200 * 1024;

/** The last `max` bytes of a file as text, starting at a whole line; '' when there is no file. */
export function readTail(file: string, max = CONSOLE_TAIL_BYTES): { text: string; truncated: boolean } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { text: '', truncated: false };
  }
  try {
    const size = fs.fstatSync(fd).size;
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    let text = buf.toString('utf8');
    if (size > max) {
      // The cut may fall inside a line (or a UTF-8 character): start at the next whole line.
      const nl = text.indexOf('\n');
      text = nl === -1 ? text : text.slice(nl + 1);
    }
    return { text, truncated: size > max };
  } finally {
    fs.closeSync(fd);
  }
}

function summaryOf(engine: Engine, id: number | null): BuildSummary | null {
  if (id === null) return null;
  const b = engine.store().getBuild(id);
  if (!b) return null;
  const { inputsHash: _h, dir: _d, logPath: _l, stages: _s, artifacts: _a, checks: _c, ...summary } = b;
  return summary;
}

export function getUpgradeRun(engine: Engine, runId: number): Res<'upgrades.run.get'> {
  const run = engine.store().getTestRun(runId);
  if (!run || run.kind !== 'upgrade') throw new EngineError('not-found', `There is no upgrade run #${runId}. Reload the upgrade matrix and open the cell again.`);
  const to = summaryOf(engine, run.buildId);
  if (!to) throw new EngineError('not-found', `Upgrade run #${runId} upgraded to build #${run.buildId}, which no longer exists.`);
  const dir = path.join(engine.home, 'runs', String(runId));
  const old = readTail(path.join(dir, 'old-console.log'));
  const fresh = readTail(run.consoleLog ?? path.join(dir, 'new-console.log'));
  const method = run.method;
  return {
    runId,
    from: summaryOf(engine, run.fromBuildId),
    to,
    ...(method ? { method } : {}),
    status: run.status,
    startedAt: iso(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
    checks: run.checks,
    after: run.after,
    consoleLogs: { old: old.text, new: fresh.text },
    consoleTruncated: { old: old.truncated, new: fresh.truncated },
  };
}
