/**
 * Collects items and hands them over in batches: at most every `intervalMs`, or at once when
 * `maxItems` are waiting. Log lines cross process boundaries (IPC, WebSocket) in batches so a
 * build printing 50,000 lines/s costs a few hundred messages, not 50,000 (Hyper/VS Code habit).
 */
export class Batcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly flushTo: (items: T[]) => void,
    private readonly intervalMs = 16,
    private readonly maxItems = 2000,
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.maxItems) this.flush();
    else if (!this.timer) this.timer = setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.items.length === 0) return;
    const out = this.items;
    this.items = [];
    this.flushTo(out);
  }
}
