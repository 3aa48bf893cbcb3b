// Ticks once per displayed second until a deadline, then calls onExpire once.
// Time comes from the injected `now` and timers, so tests can drive it.

export interface CountdownClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CountdownOptions {
  deadlineMs: number;
  clock: CountdownClock;
  onTick(remainingMs: number): void;
  onExpire(): void;
}

/** Starts ticking immediately; returns a function that stops it. */
export function startCountdown(opts: CountdownOptions): () => void {
  let handle: unknown;
  let stopped = false;
  const tick = () => {
    if (stopped) return;
    const remaining = opts.deadlineMs - opts.clock.now();
    if (remaining <= 0) {
      stopped = true;
      opts.onTick(0);
      opts.onExpire();
      return;
    }
    opts.onTick(remaining);
    // Wake at the next whole-second boundary so the display never skips a second.
    handle = opts.clock.setTimeout(tick, remaining % 1000 || 1000);
  };
  tick();
  return () => {
    stopped = true;
    opts.clock.clearTimeout(handle);
  };
}

export const windowClock: CountdownClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (handle) => window.clearTimeout(handle as number | undefined),
};
