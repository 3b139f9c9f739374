// Maps a key path in the spec ("services", 0, "name") to a 1-based line and column in the
// YAML text, so every problem points at the key or value a person has to change.
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type YAMLMap } from 'yaml';

export type SpecPath = readonly (string | number)[];
export interface Position {
  line: number;
  col: number;
}

interface Ranged {
  range?: [number, number, number] | null;
}

export class SpecPositions {
  // keyed lookups: a linear find per problem is quadratic on a file with thousands of keys
  private readonly pairs = new WeakMap<YAMLMap, Map<string, Pair>>();

  constructor(
    private readonly doc: Document | null,
    private readonly lines: LineCounter | null,
  ) {}

  /**
   * Where the thing at `path` is written. 'key' points at the key of the last step (used for
   * unknown keys); 'value' at its value, or at the key when the value is empty. A path that does
   * not exist (a missing key) points at its deepest existing parent.
   */
  locate(path: SpecPath, target: 'key' | 'value' = 'value'): Position {
    if (!this.doc || !this.lines) return { line: 1, col: 1 };
    let node: unknown = this.doc.contents;
    let key: unknown = null;
    let lastFound: unknown = node;
    for (const seg of path) {
      if (isMap(node)) {
        const pair = this.pair(node, seg);
        if (!pair) return this.at(lastFound);
        key = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        key = node.items[seg];
        node = node.items[seg];
      } else {
        return this.at(lastFound);
      }
      lastFound = key ?? node;
    }
    if (target === 'key' && key) return this.at(key);
    const empty = node == null || (isScalar(node) && node.value == null && !hasRange(node));
    return this.at(empty ? key : node);
  }

  /** The text a scalar was written as (`1.0` for a value parsed as the number 1), if it is a scalar. */
  sourceText(path: SpecPath): string | undefined {
    let node: unknown = this.doc?.contents;
    for (const seg of path) {
      if (isMap(node)) node = this.pair(node, seg)?.value;
      else if (isSeq(node) && typeof seg === 'number') node = node.items[seg];
      else return undefined;
    }
    return isScalar(node) && typeof node.source === 'string' ? node.source : undefined;
  }

  line(path: SpecPath): number {
    return this.locate(path).line;
  }

  private pair(map: YAMLMap, seg: string | number): Pair | undefined {
    let index = this.pairs.get(map);
    if (!index) {
      index = new Map();
      for (const p of map.items) if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p as Pair);
      this.pairs.set(map, index);
    }
    return index.get(String(seg));
  }

  private at(node: unknown): Position {
    const range = (node as Ranged | null)?.range;
    if (!range || !this.lines) return this.start();
    return this.lines.linePos(range[0]);
  }

  private start(): Position {
    const range = (this.doc?.contents as Node | null)?.range;
    return range && this.lines ? this.lines.linePos(range[0]) : { line: 1, col: 1 };
  }
}

function hasRange(n: unknown): boolean {
  const r = (n as Ranged).range;
  return !!r && r[1] > r[0];
}
