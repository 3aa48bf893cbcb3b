// The bench table as text: one row per figure, ratios and targets beside it.
import type { BenchRow, StageRow } from './stats.js';

const num = (n: number) => (Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n < 10 ? 3 : 1));

export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.flatMap((r) => [row(r), ...(r.stages ?? []).map(stageCells)]);
  const head = ['measure', 'result', 'ratio p50 / p99 to the baseline of the same run', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...cells.map(line)].join('\n');
}

/** A stage under its row: indented, with its mean in the slowest 5 % of rounds. */
function stageCells(s: StageRow): string[] {
  return [`    ${s.name}`, `p50 ${num(s.p50)} / p99 ${num(s.p99)} ms`, `slowest 5 %: mean ${num(s.tailMean)} ms`, ''];
}

function row(r: BenchRow): string[] {
  return [
    r.name,
    r.p50 !== undefined ? `p50 ${num(r.p50)} / p99 ${num(r.p99!)} ${r.unit}` : `${num(r.value!)} ${r.unit}`,
    r.ratio ? (r.ratio.single ? `${r.ratio.p50.toFixed(2)}x ${r.ratio.baseline}` : `${r.ratio.p50.toFixed(1)}x / ${r.ratio.p99.toFixed(1)}x ${r.ratio.baseline}`) : '',
    r.target ? `${r.target}: ${r.met ? 'met' : 'NOT met'}` : '',
  ];
}
