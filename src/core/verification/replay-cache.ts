// Nonces of signed requests already seen, kept until the request would have
// expired anyway, persisted so a restart can't be used to replay. A lost or
// corrupt cache file makes every request issued before the load suspect.
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { z } from 'zod';
import type { Clock } from '../../shared/clock.js';

const fileSchema = z.strictObject({
  v: z.literal(1),
  /** Requests issued before this (ms) are rejected: their nonces may have been lost. */
  notBefore: z.number().int().min(0),
  entries: z.record(z.string().max(80), z.number().int()),
});

export const MAX_REPLAY_ENTRIES = 50_000;

export class ReplayCache {
  private entries = new Map<string, number>();
  private notBefore = 0;

  private constructor(
    private readonly path: string,
    private readonly clock: Clock,
  ) {}

  static open(path: string, clock: Clock): ReplayCache {
    const cache = new ReplayCache(path, clock);
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') cache.notBefore = clock.now();
    }
    if (text !== undefined) {
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        data = undefined;
      }
      const parsed = fileSchema.safeParse(data);
      if (parsed.success) {
        cache.notBefore = parsed.data.notBefore;
        for (const [k, v] of Object.entries(parsed.data.entries)) cache.entries.set(k, v);
      } else {
        cache.notBefore = clock.now();
      }
    }
    return cache;
  }

  /** True if a request issued at `issuedAtMs` with this nonce may be fresh. */
  isFresh(nonce: string, issuedAtMs: number): boolean {
    const until = this.entries.get(nonce);
    if (until !== undefined && until >= this.clock.now()) return false;
    return issuedAtMs >= this.notBefore;
  }

  /** Remember a nonce until `expiresAtMs` and persist before returning. */
  remember(nonce: string, expiresAtMs: number): void {
    const now = this.clock.now();
    for (const [k, v] of this.entries) if (v < now) this.entries.delete(k);
    if (this.entries.size >= MAX_REPLAY_ENTRIES) {
      // Full: forget the oldest but refuse anything issued before now, so nothing forgotten can come back.
      const oldest = [...this.entries.entries()].sort((a, b) => a[1] - b[1]).slice(0, this.entries.size - MAX_REPLAY_ENTRIES + 1);
      for (const [k] of oldest) this.entries.delete(k);
      this.notBefore = now;
    }
    this.entries.set(nonce, expiresAtMs);
    this.persist();
  }

  private persist(): void {
    const tmp = `${this.path}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify({ v: 1, notBefore: this.notBefore, entries: Object.fromEntries(this.entries) }));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.path);
  }
}
