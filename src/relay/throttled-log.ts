// A log line for something that can happen thousands of times a second (a
// refused connection): the first one at once, then at most one per interval,
// each with how many happened since the last line.
export class ThrottledLog {
  private count = 0;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly emit: (countSinceLastLine: number) => void,
  ) {}

  note(): void {
    this.count += 1;
    const now = this.now();
    if (now - this.lastAt < this.intervalMs) return;
    this.emit(this.count);
    this.count = 0;
    this.lastAt = now;
  }
}
