// Per-connection token bucket for incoming frames. Over the limit a frame is refused
// (`rate-limited`); a peer that keeps going past `abuseThreshold` refused
// frames is disconnected.
export interface RateLimit {
  /** Sustained frames per second. */
  perSecond: number;
  /** Burst size. */
  burst: number;
  /** Refused frames (since the last accepted one) before we disconnect. */
  abuseThreshold: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 20, burst: 60, abuseThreshold: 200 };

export type RateVerdict = 'ok' | 'limited' | 'abuse';

export class FrameRateLimiter {
  private tokens: number;
  private last: number;
  private refusedInARow = 0;

  constructor(
    private readonly limit: RateLimit,
    nowMs: number,
  ) {
    this.tokens = limit.burst;
    this.last = nowMs;
  }

  take(nowMs: number): RateVerdict {
    this.tokens = Math.min(this.limit.burst, this.tokens + ((nowMs - this.last) / 1000) * this.limit.perSecond);
    this.last = nowMs;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.refusedInARow = 0;
      return 'ok';
    }
    this.refusedInARow += 1;
    return this.refusedInARow > this.limit.abuseThreshold ? 'abuse' : 'limited';
  }
}
