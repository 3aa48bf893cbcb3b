// The failed-sign-in limiter as a state machine (fast-check): lockouts start at
// the fifth failure, double, stop at the cap, end on time, and memory stays bounded.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SignInLimiter, SIGN_IN_LIMITS } from '../../../src/relay/accounts/sign-in-limiter.js';

describe('SignInLimiter', () => {
  it('locks at every fifth failure, 60 s then doubling up to 1 h, and unlocks exactly when it says', () => {
    const limiter = new SignInLimiter();
    let now = 0;
    const locks: number[] = [];
    for (let round = 0; round < 9; round++) {
      for (let i = 1; i <= 5; i++) {
        const r = limiter.fail(['address:a'], now);
        expect(r.locked).toBe(i === 5);
        if (r.locked) locks.push(r.retryInSec);
      }
      const wait = limiter.retryIn('address:a', now);
      expect(wait).toBe(locks.at(-1));
      expect(limiter.retryIn('address:a', now + wait * 1000 - 1)).toBe(1);
      now += wait * 1000;
      expect(limiter.retryIn('address:a', now)).toBe(0);
    }
    expect(locks).toEqual([60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });

  it('a success clears a technician; keys never interfere; size stays under the cap (any sequence)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), fc.boolean(), fc.integer({ min: 0, max: 5_000 })), { maxLength: 400 }), (events) => {
        const limits = { ...SIGN_IN_LIMITS, maxKeys: 16 };
        const limiter = new SignInLimiter(limits);
        const model = new Map<string, number>();
        let now = 0;
        for (const [k, ok, dt] of events) {
          now += dt;
          const key = `technician:${k}`;
          if (limiter.retryIn(key, now) > 0) continue;
          if (ok) {
            limiter.succeed(key);
            model.delete(key);
          } else {
            const n = (model.get(key) ?? 0) + 1;
            const r = limiter.fail([key], now);
            // Forgotten keys (evicted past the cap) may start over: never lock earlier than the model.
            if (r.locked) expect(n).toBeGreaterThanOrEqual(5);
            model.set(key, r.locked ? 0 : n);
          }
          expect(limiter.size).toBeLessThanOrEqual(limits.maxKeys);
        }
      }),
    );
  });
});
