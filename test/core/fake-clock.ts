// A clock the test moves by hand: timers fire only inside advance().
import type { Clock } from '../../src/shared/clock.js';

export class FakeClock implements Clock {
  private timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 1;

  constructor(private ms = Date.parse('2026-11-24T10:00:00.000Z')) {}

  now(): number {
    return this.ms;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.set(id, { at: this.ms + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** Move time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.ms + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= target).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.ms = Math.max(this.ms, due[1].at);
      due[1].fn();
    }
    this.ms = target;
  }

  /** When each pending timer will fire (ms), so a test can wait until a timer was re-armed. */
  dueTimes(): number[] {
    return [...this.timers.values()].map((t) => t.at);
  }

  pendingTimers(): number {
    return this.timers.size;
  }
}
