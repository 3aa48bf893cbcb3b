// The relay's own clock for requests and sessions: when a pending request
// times out, and when a session's granted time (plus the agent's grace to end
// it itself) is over. Time and timers come from the shared Clock.
import type { Clock } from '../../shared/clock.js';
import { MAX_TIMER_MS } from '../relay-constants.js';
import type { RoutedSession } from './routed.js';

export class SessionClock {
  /** Called when a session's end plus grace is (or may be) due; `isOverdue` says whether it really is. */
  onSessionDue: (s: RoutedSession) => void = () => undefined;

  constructor(
    private readonly clock: Clock,
    readonly graceMs: number,
  ) {}

  now(): number {
    return this.clock.now();
  }

  /** A one-off timer (request expiry); the handle goes to `cancel`. */
  after(ms: number, fn: () => void): unknown {
    return this.clock.setTimeout(fn, Math.min(ms, MAX_TIMER_MS));
  }

  cancel(handle: unknown): void {
    if (handle !== undefined) this.clock.clearTimeout(handle);
  }

  /** (Re)arm the relay's own end of a session: endsAt plus the grace the agent gets to end it itself. */
  armExpiry(s: RoutedSession, endsAt: number): void {
    this.cancel(s.expiryTimer);
    s.endsAt = endsAt;
    const wait = Math.max(0, endsAt + this.graceMs - this.now());
    s.expiryTimer = this.clock.setTimeout(() => this.onSessionDue(s), Math.min(wait, MAX_TIMER_MS));
  }

  /** The relay's clock is the judge: past endsAt nothing more reaches the agent. */
  isPastEnd(s: RoutedSession): boolean {
    return this.now() >= s.endsAt;
  }

  /** The agent's grace to end the session itself is over too (false after a re-armed long wait). */
  isOverdue(s: RoutedSession): boolean {
    return this.now() >= s.endsAt + this.graceMs;
  }
}
