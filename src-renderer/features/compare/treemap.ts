// A squarified treemap (Bruls, Huizing, van Wijk 2000): rectangles whose areas match the values,
// laid out row by row so each stays as close to square as it can. ~50 lines instead of a chart library.

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}
export type Placed<T> = Rect & { item: T };

function worst(row: number[], side: number): number {
  const sum = row.reduce((a, b) => a + b, 0);
  const max = Math.max(...row);
  const min = Math.min(...row);
  return Math.max((side * side * max) / (sum * sum), (sum * sum) / (side * side * min));
}

/** Lays `items` (value > 0, any order) into `box`; areas are proportional to `value(item)`. */
export function squarify<T>(items: readonly T[], value: (t: T) => number, box: Rect): Placed<T>[] {
  const total = items.reduce((n, t) => n + Math.max(0, value(t)), 0);
  if (total <= 0 || box.w <= 0 || box.h <= 0) return [];
  const scale = (box.w * box.h) / total;
  const queue = items
    .filter((t) => value(t) > 0)
    .map((item) => ({ item, area: value(item) * scale }))
    .sort((a, b) => b.area - a.area);
  const out: Placed<T>[] = [];
  let free = { ...box };
  while (queue.length) {
    const side = Math.min(free.w, free.h);
    const row = [queue.shift()!];
    while (queue.length && worst([...row, queue[0]].map((r) => r.area), side) <= worst(row.map((r) => r.area), side)) row.push(queue.shift()!);
    const sum = row.reduce((n, r) => n + r.area, 0);
    // The row fills the shorter side of what is left, then the rest of the box shrinks past it.
    if (free.w >= free.h) {
      const w = sum / free.h;
      let y = free.y;
      for (const r of row) {
        const h = r.area / w;
        out.push({ x: free.x, y, w, h, item: r.item });
        y += h;
      }
      free = { x: free.x + w, y: free.y, w: free.w - w, h: free.h };
    } else {
      const h = sum / free.w;
      let x = free.x;
      for (const r of row) {
        const w = r.area / h;
        out.push({ x, y: free.y, w, h, item: r.item });
        x += w;
      }
      free = { x: free.x, y: free.y + h, w: free.w, h: free.h - h };
    }
  }
  return out;
}
