/** At most `width` tasks at a time, started in the order they asked (a FIFO semaphore). */
export class Lane {
  private active = 0;
  private queue: (() => void)[] = [];

  constructor(readonly width = 1) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.width) await new Promise<void>((res) => this.queue.push(res));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}
