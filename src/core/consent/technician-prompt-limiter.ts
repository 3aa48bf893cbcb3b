// Per-technician prompt budget (default 3 per 10 min) and auto-decline after
// repeated declines in the same window (seed 003 anti-fatigue). Bounded: times
// outside the window are dropped, and at most MAX_TRACKED_TECHNICIANS are kept
// (the least recently active are forgotten first).
import type { Policy } from '../policy/schema.js';

export type PromptBudgetVerdict = 'ok' | 'too-many-prompts' | 'too-many-declines';

export const MAX_TRACKED_TECHNICIANS = 1000;

export class TechnicianPromptLimiter {
  private readonly prompts = new Map<string, number[]>();
  private readonly declines = new Map<string, number[]>();

  constructor(private readonly limits: Policy['rateLimit']) {}

  check(technicianId: string, now: number): PromptBudgetVerdict {
    const declines = this.recent(this.declines, technicianId, now).length;
    if (declines >= this.limits.autoDeclineAfterDeclines) return 'too-many-declines';
    if (this.recent(this.prompts, technicianId, now).length >= this.limits.prompts) return 'too-many-prompts';
    return 'ok';
  }

  notePrompt(technicianId: string, now: number): void {
    this.push(this.prompts, technicianId, now);
  }

  noteDecline(technicianId: string, now: number): void {
    this.push(this.declines, technicianId, now);
  }

  /** Technicians with prompts or declines still remembered (tests check the bound). */
  get trackedTechnicians(): number {
    return new Set([...this.prompts.keys(), ...this.declines.keys()]).size;
  }

  private windowStart(now: number): number {
    return now - this.limits.windowMinutes * 60_000;
  }

  private recent(map: Map<string, number[]>, id: string, now: number): number[] {
    const since = this.windowStart(now);
    const kept = (map.get(id) ?? []).filter((t) => t > since);
    if (kept.length > 0) map.set(id, kept);
    else map.delete(id);
    return kept;
  }

  private push(map: Map<string, number[]>, id: string, now: number): void {
    // Never more times per technician than the largest limit needs.
    const keep = Math.max(this.limits.prompts, this.limits.autoDeclineAfterDeclines);
    const times = [...this.recent(map, id, now), now].slice(-keep);
    map.delete(id); // re-insert: Map order is then least recently active first
    map.set(id, times);
    if (map.size > MAX_TRACKED_TECHNICIANS) this.prune(map, now);
  }

  private prune(map: Map<string, number[]>, now: number): void {
    const since = this.windowStart(now);
    for (const [id, times] of map) if (times.at(-1)! <= since) map.delete(id);
    // Evict a tenth more than needed, so this sweep runs once per many inserts, not on each.
    const target = MAX_TRACKED_TECHNICIANS - MAX_TRACKED_TECHNICIANS / 10;
    for (const id of map.keys()) {
      if (map.size <= target) break;
      map.delete(id);
    }
  }
}
