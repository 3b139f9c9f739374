import fs from 'node:fs';
import type { ApiContext as Engine } from './context';
import type { LogLine, Res } from './contract';
import { EngineError } from './errors';

const MAX_BYTES = 16 * 1024 * 1024;
const STORED = /^(\d{4}-\d\d-\d\dT[\d:.]+Z)\s+(debug|info|warn|error)\s+(.*)$/;

/** A line of a stored build log (`ISO-time level text`, as build-job.ts writes it) as a typed LogLine. */
export function parseStoredLine(raw: string): LogLine {
  const m = STORED.exec(raw);
  if (!m) return { t: 0, level: 'info', text: raw };
  return { t: Date.parse(m[1]), level: m[2] as LogLine['level'], text: m[3] };
}

/** A stored build log as lines; the tail when it is long (the file itself keeps everything). */
export function readBuildLog(engine: Engine, id: number, tail?: number): Res<'builds.log'> {
  const b = engine.store().getBuildRecord(id);
  if (!b) throw new EngineError('not-found', `no build #${id}`);
  if (!b.logPath || !fs.existsSync(b.logPath)) return { lines: [], truncated: false };
  const size = fs.statSync(b.logPath).size;
  const fd = fs.openSync(b.logPath, 'r');
  try {
    const start = Math.max(0, size - MAX_BYTES);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    let lines = buf.toString('utf8').split('\n');
    if (lines.at(-1) === '') lines.pop();
    if (start > 0) lines = lines.slice(1); // the first line was cut in the middle
    const truncated = start > 0 || (tail !== undefined && lines.length > tail);
    if (tail !== undefined) lines = lines.slice(-tail);
    return { lines: lines.map(parseStoredLine), truncated };
  } finally {
    fs.closeSync(fd);
  }
}
