// Failed technician sign-ins, per source address and per technician: after 5
// failures a key is locked for 1 min, doubling with each further lockout up to
// 1 h. A locked key is refused before any database lookup, so a flood of bad
// tokens costs the relay almost nothing and never slows anyone else's sign-in.
// One limiter for the whole relay (issue 18's sign-in floods, issue 19's lockout).

export interface SignInLimits {
  /** Failures allowed before a lockout (default 5). */
  failures: number;
  /** First lockout (default 60 s); each next one doubles. */
  firstLockMs: number;
  maxLockMs: number;
  /** Keys remembered at most (oldest forgotten first): memory stays bounded under any flood. */
  maxKeys: number;
  /** A key with no failure for this long starts over. */
  forgetAfterMs: number;
}

export const SIGN_IN_LIMITS: SignInLimits = { failures: 5, firstLockMs: 60_000, maxLockMs: 3_600_000, maxKeys: 100_000, forgetAfterMs: 24 * 3_600_000 };

interface KeyState {
  failures: number;
  lockouts: number;
  lockedUntil: number;
  lastFailureAt: number;
}

export type FailureResult = { locked: false } | { locked: true; retryInSec: number };

export class SignInLimiter {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly limits: SignInLimits = SIGN_IN_LIMITS) {}

  /** Seconds until `key` may try again, or 0. */
  retryIn(key: string, nowMs: number): number {
    const s = this.keys.get(key);
    return s && s.lockedUntil > nowMs ? Math.ceil((s.lockedUntil - nowMs) / 1000) : 0;
  }

  /** Count a failure for each key; says whether this one started a lockout (audited once, not per try). */
  fail(keys: readonly string[], nowMs: number): FailureResult {
    let result: FailureResult = { locked: false };
    for (const key of keys) {
      const s = this.stateOf(key, nowMs);
      s.failures++;
      s.lastFailureAt = nowMs;
      if (s.failures >= this.limits.failures) {
        const lockMs = Math.min(this.limits.firstLockMs * 2 ** s.lockouts, this.limits.maxLockMs);
        s.lockouts++;
        s.failures = 0;
        s.lockedUntil = nowMs + lockMs;
        result = { locked: true, retryInSec: Math.ceil(lockMs / 1000) };
      }
    }
    return result;
  }

  /** A good sign-in clears the technician's count (not the address's: one good token must not unlock a scanner). */
  succeed(key: string): void {
    this.keys.delete(key);
  }

  get size(): number {
    return this.keys.size;
  }

  private stateOf(key: string, nowMs: number): KeyState {
    const known = this.keys.get(key);
    if (known && nowMs - known.lastFailureAt < this.limits.forgetAfterMs) {
      // Re-insert: the Map's order is then least recently failed first.
      this.keys.delete(key);
      this.keys.set(key, known);
      return known;
    }
    this.keys.delete(key);
    const fresh: KeyState = { failures: 0, lockouts: 0, lockedUntil: 0, lastFailureAt: nowMs };
    this.keys.set(key, fresh);
    while (this.keys.size > this.limits.maxKeys) {
      const oldest = this.keys.keys().next().value as string;
      this.keys.delete(oldest);
    }
    return fresh;
  }
}
