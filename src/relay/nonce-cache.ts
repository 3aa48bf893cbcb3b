// Hello nonces seen within the freshness window: a replayed hello is refused.
// Bounded: when full it refuses new nonces instead of evicting unexpired ones
// (evicting would let a flood of junk hellos make a captured one fresh again).
// The challenge in each hello makes a replay useless anyway; this is depth.
export type NonceVerdict = 'new' | 'seen' | 'full';

export class NonceCache {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    readonly maxEntries = 100_000,
  ) {}

  get size(): number {
    return this.seen.size;
  }

  /** `new` (and now remembered), `seen` within the ttl, or `full` (not remembered: refuse the hello). */
  remember(nonce: string, nowMs: number): NonceVerdict {
    this.evict(nowMs);
    const until = this.seen.get(nonce);
    if (until !== undefined && until > nowMs) return 'seen';
    if (this.seen.size >= this.maxEntries) return 'full';
    this.seen.set(nonce, nowMs + this.ttlMs);
    return 'new';
  }

  private evict(nowMs: number): void {
    for (const [nonce, until] of this.seen) {
      if (until > nowMs) break; // insertion order = expiry order
      this.seen.delete(nonce);
    }
  }
}
