// `npm run bench -- --compare old.json`: rows slower (latency p50 or p99) or lower (rates) than
// the compared run by more than the noise allowance are named; the file is parsed, not trusted.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { BenchRow } from './stats.js';

/** More than this relative change is a regression, not noise (2-core machines vary ~10 %). */
export const NOISE = 0.2;

const oldResults = z.object({
  at: z.string(),
  rows: z.array(z.object({ name: z.string(), unit: z.string(), p50: z.number().optional(), p99: z.number().optional(), value: z.number().optional() })).max(1000),
});

const HIGHER_IS_BETTER = /\/s$|per second/;

export function loadResults(path: string): z.infer<typeof oldResults> {
  const parsed = oldResults.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new Error(`${path} is not a bench results file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export function regressions(now: readonly BenchRow[], before: z.infer<typeof oldResults>): string[] {
  const out: string[] = [];
  for (const row of now) {
    const old = before.rows.find((r) => r.name === row.name && r.unit === row.unit);
    if (!old) continue;
    const worse = (label: string, a: number | undefined, b: number | undefined, higherBetter: boolean) => {
      if (a === undefined || b === undefined || b === 0) return;
      const change = (a - b) / b;
      if ((higherBetter ? -change : change) > NOISE) out.push(`${row.name}: ${label} ${b.toPrecision(3)} -> ${a.toPrecision(3)} ${row.unit} (${(change * 100).toFixed(0)} %)`);
    };
    worse('p50', row.p50, old.p50, false);
    worse('p99', row.p99, old.p99, false);
    worse('value', row.value, old.value, HIGHER_IS_BETTER.test(row.unit));
  }
  return out;
}
