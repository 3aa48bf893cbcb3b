// Per-stage breakdown of a latency: the product's marks (src/protocol/latency-marks.ts, heard on the
// diagnostics channel) and the bench's own timestamps, per request, turned into p50/p99 per stage and the
// stage's mean in the slowest rounds, so a report says where the p99 goes.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { LATENCY_CHANNEL, type LatencyMark } from '../src/protocol/latency-marks.js';
import { stats, type StageRow } from './stats.js';

/** Every mark heard while collecting, by request key then stage (performance.now() ms). */
export class StageMarks {
  private readonly byKey = new Map<string, Map<string, number>>();
  private readonly listener = (m: unknown) => {
    const { stage, key, at } = m as LatencyMark;
    let stages = this.byKey.get(key);
    if (!stages) this.byKey.set(key, (stages = new Map()));
    // The first time a stage is reached counts (a re-sent frame is not a new stage).
    if (!stages.has(stage)) stages.set(stage, at);
  };

  constructor() {
    subscribe(LATENCY_CHANNEL, this.listener);
  }

  /** The bench's own timestamp for a request (performance.now() ms). */
  set(key: string, stage: string, at: number): void {
    this.listener({ stage, key, at });
  }

  of(key: string): ReadonlyMap<string, number> {
    return this.byKey.get(key) ?? new Map();
  }

  stop(): void {
    unsubscribe(LATENCY_CHANNEL, this.listener);
  }
}

/**
 * Durations between consecutive stages (`[label, from, to]`) over the given rounds, each round a map of
 * stage -> time. Rounds missing a stage are left out of that stage. `tailShare`: the stage's mean in the
 * rounds whose whole (first `from` to last `to`) is at or above the p95 of the whole.
 */
export function stageRows(rounds: ReadonlyArray<ReadonlyMap<string, number>>, stages: ReadonlyArray<readonly [label: string, from: string, to: string]>): StageRow[] {
  const first = stages[0]![1];
  const last = stages.at(-1)![2];
  const totals = rounds.map((r) => (r.has(first) && r.has(last) ? r.get(last)! - r.get(first)! : undefined));
  const known = totals.filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const p95 = known[Math.floor(known.length * 0.95)] ?? Infinity;
  return stages.map(([label, from, to]) => {
    const all: number[] = [];
    const tail: number[] = [];
    rounds.forEach((r, i) => {
      if (!r.has(from) || !r.has(to)) return;
      const d = r.get(to)! - r.get(from)!;
      all.push(d);
      if ((totals[i] ?? -Infinity) >= p95) tail.push(d);
    });
    if (all.length === 0) return { name: label, p50: NaN, p99: NaN, tailMean: NaN };
    const s = stats(all);
    return { name: label, ...s, tailMean: tail.length > 0 ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN };
  });
}
