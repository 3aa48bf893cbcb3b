// Hello nonces seen within the freshness window: a replayed hello is refused.
// Bounded: the oldest entries go first when full (they are about to expire anyway).
export class NonceCache {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 100_000,
  ) {}

  /** True if the nonce is new (and now remembered), false if it was seen within the ttl. */
  remember(nonce: string, nowMs: number): boolean {
    this.evict(nowMs);
    const until = this.seen.get(nonce);
    if (until !== undefined && until > nowMs) return false;
    if (this.seen.size >= this.maxEntries) {
      const oldest = this.seen.keys().next();
      if (!oldest.done) this.seen.delete(oldest.value);
    }
    this.seen.set(nonce, nowMs + this.ttlMs);
    return true;
  }

  private evict(nowMs: number): void {
    for (const [nonce, until] of this.seen) {
      if (until > nowMs) break; // insertion order = expiry order
      this.seen.delete(nonce);
    }
  }
}
