// Percentiles and the result rows every benchmark reports.

export interface BenchRow {
  /** What was measured, in words. */
  name: string;
  unit: string;
  p50?: number;
  p99?: number;
  /** A single figure (rates, memory). */
  value?: number;
  /** Ratio to a baseline measured in the same run, with the baseline named. */
  ratio?: { p50: number; p99: number; baseline: string };
  /** The target from issue 8, as text, and whether this run met it. */
  target?: string;
  met?: boolean;
  samples?: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function stats(samples: readonly number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

export function latencyRow(name: string, samples: readonly number[], baseline?: { name: string; p50: number; p99: number }, target?: { text: string; p99Below: number }): BenchRow {
  const s = stats(samples);
  return {
    name,
    unit: 'ms',
    ...s,
    samples: samples.length,
    ...(baseline ? { ratio: { p50: s.p50 / baseline.p50, p99: s.p99 / baseline.p99, baseline: baseline.name } } : {}),
    ...(target ? { target: target.text, met: s.p99 < target.p99Below } : {}),
  };
}
