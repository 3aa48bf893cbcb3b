// Percentiles and the result rows every benchmark reports.

export interface BenchRow {
  /** What was measured, in words. */
  name: string;
  unit: string;
  p50?: number;
  p99?: number;
  /** A single figure (rates, memory). */
  value?: number;
  /** Ratio to a baseline measured in the same run, with the baseline named (`single`: a rate or a total, one ratio). */
  ratio?: { p50: number; p99: number; baseline: string; single?: true };
  /** The target from issue 8, as text, and whether this run met it. */
  target?: string;
  met?: boolean;
  samples?: number;
  /** Latency distribution on log-spaced bins (for the HTML report's plots). */
  histogram?: Histogram;
  /** Where the time goes, stage by stage along the measured path. */
  stages?: StageRow[];
}

/** One stage of a row's path: its own p50/p99, and its mean in the row's slowest 5 % of rounds. */
export interface StageRow {
  name: string;
  p50: number;
  p99: number;
  tailMean: number;
}

export interface Histogram {
  /** Bin edges in the row's unit, ascending: counts[i] holds samples in [edges[i], edges[i+1]). */
  edges: number[];
  counts: number[];
}

/** 24 log-spaced bins from the smallest to the largest sample: a tail stays visible next to the body. */
export function histogram(samples: readonly number[], bins = 24): Histogram {
  const lo = Math.max(1e-3, Math.min(...samples));
  const hi = Math.max(lo * 1.0001, Math.max(...samples));
  const step = Math.log(hi / lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo * Math.exp(step * i));
  const counts = new Array<number>(bins).fill(0);
  for (const x of samples) counts[Math.min(bins - 1, Math.max(0, Math.floor(Math.log(Math.max(x, lo) / lo) / step)))]! += 1;
  return { edges, counts };
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function stats(samples: readonly number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** The ratio of a single figure (a rate, a CPU total) to its same-run baseline. */
export function valueRatio(ratio: number, baseline: string): NonNullable<BenchRow['ratio']> {
  return { p50: ratio, p99: ratio, baseline, single: true };
}

export function latencyRow(name: string, samples: readonly number[], baseline?: { name: string; p50: number; p99: number }, target?: { text: string; p99Below: number }): BenchRow {
  const s = stats(samples);
  return {
    name,
    unit: 'ms',
    ...s,
    samples: samples.length,
    histogram: histogram(samples),
    ...(baseline ? { ratio: { p50: s.p50 / baseline.p50, p99: s.p99 / baseline.p99, baseline: baseline.name } } : {}),
    ...(target ? { target: target.text, met: s.p99 < target.p99Below } : {}),
  };
}
