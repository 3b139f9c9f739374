export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogLine {
  t: number;
  level: LogLevel;
  text: string;
}
export type LevelFilter = 'all' | 'info' | 'warn' | 'error';

const CHUNK = 4096;
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Lines of a log kept outside React state, in fixed-size chunks: appending 50,000 lines never
 * copies the ones already held, and a million lines cost one array per 4,096. React sees only
 * a version number (see the stores), and the view reads rows by index.
 */
export class LogBuffer {
  private chunks: LogLine[][] = [];
  private count = 0;
  /** Changes on clear(), so indexes built over the old lines know to start again. */
  generation = 0;

  get length(): number {
    return this.count;
  }

  append(lines: readonly LogLine[]): void {
    for (const line of lines) {
      let last = this.chunks[this.chunks.length - 1];
      if (!last || last.length === CHUNK) this.chunks.push((last = []));
      last.push(line);
      this.count++;
    }
  }

  at(i: number): LogLine | undefined {
    return this.chunks[Math.floor(i / CHUNK)]?.[i % CHUNK];
  }

  clear(): void {
    this.chunks = [];
    this.count = 0;
    this.generation++;
  }
}

/** Whether a line passes the level filter and the search text (case-insensitive). */
export function lineMatches(line: LogLine, level: LevelFilter, needle: string): boolean {
  if (level !== 'all' && RANK[line.level] < RANK[level]) return false;
  return needle === '' || line.text.toLowerCase().includes(needle);
}

/**
 * The indexes of the lines that pass a filter, extended incrementally: only lines appended
 * since the last call are scanned, so filtering a growing log stays cheap.
 */
export class FilteredIndex {
  private indexes: Uint32Array = new Uint32Array(1024);
  private size = 0;
  private scanned = 0;
  private generation = -1;

  constructor(
    private readonly buffer: LogBuffer,
    readonly level: LevelFilter,
    readonly needle: string,
  ) {}

  get active(): boolean {
    return this.level !== 'all' || this.needle !== '';
  }

  /** Whether every line held has been scanned (false when update() ran out of time). */
  get complete(): boolean {
    return !this.active || this.scanned >= this.buffer.length;
  }

  /**
   * Scans new lines, until `deadline` (a performance.now() time) if given, so a search over a
   * million lines is spread over frames instead of freezing one; returns the visible row count.
   */
  update(deadline = Infinity): number {
    if (!this.active) return this.buffer.length;
    if (this.generation !== this.buffer.generation) {
      this.generation = this.buffer.generation;
      this.size = 0;
      this.scanned = 0;
    }
    const end = this.buffer.length;
    let i = this.scanned;
    for (; i < end; i++) {
      if ((i & 4095) === 0 && i > this.scanned && performance.now() > deadline) break;
      const line = this.buffer.at(i)!;
      if (!lineMatches(line, this.level, this.needle)) continue;
      if (this.size === this.indexes.length) {
        const grown = new Uint32Array(this.indexes.length * 2);
        grown.set(this.indexes);
        this.indexes = grown;
      }
      this.indexes[this.size++] = i;
    }
    this.scanned = i;
    return this.size;
  }

  /** The buffer index of visible row `row`. */
  lineAt(row: number): number {
    return this.active ? this.indexes[row] : row;
  }
}

