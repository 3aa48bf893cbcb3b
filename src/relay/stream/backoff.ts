// Reconnect and retry delays: doubling from `firstMs` up to `maxMs`, with up to
// 20 % random spread so many relays do not retry in step.
export interface BackoffOptions {
  firstMs: number;
  maxMs: number;
  random?: () => number;
}

export class Backoff {
  private attempt = 0;

  constructor(private readonly o: BackoffOptions) {}

  get attempts(): number {
    return this.attempt;
  }

  next(): number {
    const base = Math.min(this.o.maxMs, this.o.firstMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(base * (1 - 0.2 * (this.o.random ?? Math.random)()));
  }

  reset(): void {
    this.attempt = 0;
  }
}
