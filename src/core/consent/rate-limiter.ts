// Per-technician prompt budget (default 3 per 10 min) and auto-decline after
// repeated declines in the same window (seed 003 anti-fatigue).
import type { Policy } from '../policy/schema.js';

export type RateVerdict = 'ok' | 'too-many-prompts' | 'too-many-declines';

export class RateLimiter {
  private prompts = new Map<string, number[]>();
  private declines = new Map<string, number[]>();

  constructor(private readonly limits: Policy['rateLimit']) {}

  check(technicianId: string, now: number): RateVerdict {
    if (this.recent(this.declines, technicianId, now).length >= this.limits.autoDeclineAfterDeclines) return 'too-many-declines';
    if (this.recent(this.prompts, technicianId, now).length >= this.limits.prompts) return 'too-many-prompts';
    return 'ok';
  }

  notePrompt(technicianId: string, now: number): void {
    this.push(this.prompts, technicianId, now);
  }

  noteDecline(technicianId: string, now: number): void {
    this.push(this.declines, technicianId, now);
  }

  private recent(map: Map<string, number[]>, id: string, now: number): number[] {
    const since = now - this.limits.windowMinutes * 60_000;
    const kept = (map.get(id) ?? []).filter((t) => t > since);
    if (kept.length > 0) map.set(id, kept);
    else map.delete(id);
    return kept;
  }

  private push(map: Map<string, number[]>, id: string, now: number): void {
    map.set(id, [...this.recent(map, id, now), now]);
  }
}
