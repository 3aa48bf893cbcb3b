// bench/report.html: one self-contained page (strict CSP, no script) with, per latency row, its
// distribution on a log scale next to its baseline's, p50 and p99 marked, so the tail shows.
import { escapeHtml as e } from '../src/relay/report/html-escape.js';
import { selfContainedPage } from '../src/relay/report/html-page.js';
import type { BenchRow, Histogram, StageRow } from './stats.js';

const CSS = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#57606a;--bg:#fff;--card:#f6f8fa;--row:#0969da;--base:#8c959f;--mark:#cf222e}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#161b22;--row:#4493f8;--base:#6e7681;--mark:#f85149}}
body{margin:0;font:15px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}p.meta{color:var(--muted);margin:0 0 20px}
table{border-collapse:collapse;width:100%;margin-bottom:28px}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid var(--card);vertical-align:top}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}td.ratio{font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
@media (max-width:800px){td.num{white-space:normal}}table.rows{table-layout:fixed}table.rows th:nth-child(1){width:34%}table.rows th:nth-child(2){width:19%}table.rows th:nth-child(3){width:25%}.met{color:var(--row)}.not{color:var(--mark);font-weight:600}
section.plot{background:var(--card);border-radius:8px;padding:12px 16px;margin-bottom:16px}
section.plot h2{font-size:15px;margin:0 0 6px}svg{width:100%;height:auto}
.legend{color:var(--muted);font-size:13px}.row{fill:var(--row)}.base{fill:var(--base);opacity:.55}.mark{stroke:var(--mark);stroke-width:1.5}
.axis{fill:var(--muted);font-size:11px}
table.stages{margin:8px 0 4px;font-size:13px}table.stages td,table.stages th{padding:3px 8px}
.share{width:120px;height:10px;vertical-align:middle}.share rect{fill:var(--mark);opacity:.7}`;
const num = (n: number) => (Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(n < 10 ? 3 : 1));

export interface BenchResults {
  at: string;
  machine: Record<string, unknown>;
  rows: BenchRow[];
}

/** Bars of `h` (and of `base`, behind) on one shared log axis; p50/p99 of the row as lines. */
function plot(row: BenchRow, base: BenchRow | undefined): string {
  const W = 1000;
  const H = 160;
  const pad = 28;
  const hs = [row.histogram!, ...(base?.histogram ? [base.histogram] : [])];
  const lo = Math.min(...hs.map((h) => h.edges[0]!));
  const hi = Math.max(...hs.map((h) => h.edges.at(-1)!));
  const x = (v: number) => pad + ((Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo) || 1)) * (W - 2 * pad);
  const bars = (h: Histogram, cls: string) => {
    const total = h.counts.reduce((a, b) => a + b, 0) || 1;
    const peak = Math.max(...h.counts) / total || 1;
    return h.counts
      .map((c, i) => {
        const height = ((c / total) / peak) * (H - 2 * pad);
        const x0 = x(h.edges[i]!);
        return `<rect class="${cls}" x="${x0.toFixed(1)}" y="${(H - pad - height).toFixed(1)}" width="${Math.max(1, x(h.edges[i + 1]!) - x0 - 1).toFixed(1)}" height="${height.toFixed(1)}"/>`;
      })
      .join('');
  };
  const mark = (v: number, label: string) =>
    `<line class="mark" x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${pad - 6}" y2="${H - pad}"/>${label.length > 0 ? markLabel(x(v), W, pad, `${label} ${num(v)}`) : ''}`;
  const ticks = [lo, Math.sqrt(lo * hi), hi].map((v) => `<text class="axis" x="${x(v).toFixed(1)}" y="${H - 8}" text-anchor="middle">${e(num(v))} ${e(row.unit)}</text>`).join('');
  const title = `${row.name}${base ? ` against ${base.name}` : ''}`;
  return `<section class="plot"><h2>${e(row.name)}</h2>
<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${e(`Distribution of ${title}, log scale`)}">${base?.histogram ? bars(base.histogram, 'base') : ''}${bars(row.histogram!, 'row')}${mark(row.p50!, 'p50')}${mark(row.p99!, 'p99')}${ticks}</svg>
<p class="legend">Blue: this row (${row.samples ?? 0} samples)${base ? `; grey: its baseline, ${e(base.name)}` : ''}. Log scale; bar height is the share of samples in that bin.</p>${row.stages ? stageTable(row.stages) : ''}</section>`;
}

/** A mark's label beside its line, on the left of it near the right edge so it is never cut off. */
function markLabel(at: number, width: number, pad: number, text: string): string {
  const right = at > width * 0.8;
  return `<text class="axis" x="${(right ? at - 3 : at + 3).toFixed(1)}" y="${pad - 8}"${right ? ' text-anchor="end"' : ''}>${e(text)}</text>`;
}

/** Where the time goes: each stage's p50 / p99, and its mean in the slowest 5 % of rounds (bar: its share). */
function stageTable(stages: readonly StageRow[]): string {
  const tailTotal = stages.reduce((a, s) => a + (Number.isFinite(s.tailMean) ? s.tailMean : 0), 0) || 1;
  const rows = stages
    .map((s) => {
      const share = Number.isFinite(s.tailMean) ? s.tailMean / tailTotal : 0;
      return `<tr><td>${e(s.name)}</td><td class="num">${e(num(s.p50))} / ${e(num(s.p99))} ms</td><td class="num">${e(num(s.tailMean))} ms <svg class="share" viewBox="0 0 120 10" aria-hidden="true"><rect width="${Math.max(1, Math.round(share * 120))}" height="10"/></svg></td></tr>`;
    })
    .join('');
  return `<table class="stages"><thead><tr><th>Stage</th><th>p50 / p99</th><th>Mean in the slowest 5 % of rounds</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderBenchReport(results: BenchResults, regressions: readonly string[] = []): string {
  const byName = new Map(results.rows.map((r) => [r.name, r]));
  const table = results.rows
    .map((r) => {
      const result = r.p50 !== undefined ? `p50 ${num(r.p50)} / p99 ${num(r.p99!)} ${r.unit}` : `${num(r.value!)} ${r.unit}`;
      const ratio = r.ratio ? (r.ratio.single ? `${r.ratio.p50.toFixed(2)}x ${r.ratio.baseline}` : `${r.ratio.p50.toFixed(2)}x / ${r.ratio.p99.toFixed(2)}x ${r.ratio.baseline}`) : '';
      const target = r.target ? `<span class="${r.met ? 'met' : 'not'}">${e(r.target)}: ${r.met ? 'met' : 'NOT met'}</span>` : '';
      return `<tr><td>${e(r.name)}</td><td class="num">${e(result)}</td><td class="ratio">${e(ratio)}</td><td>${target}</td></tr>`;
    })
    .join('');
  const plots = results.rows.filter((r) => r.histogram && r.p50 !== undefined).map((r) => plot(r, r.ratio ? byName.get(r.ratio.baseline) : undefined)).join('\n');
  const machine = Object.entries(results.machine).map(([k, v]) => `${k} ${String(v)}`).join(' · ');
  const flagged = regressions.length > 0 ? `<section class="plot"><h2>Regressions against the compared run</h2><ul>${regressions.map((x) => `<li>${e(x)}</li>`).join('')}</ul></section>` : '';
  const body = [
    '<h1>Porchlight benchmarks</h1>',
    `<p class="meta">${e(results.at.slice(0, 16).replace('T', ' '))} UTC · ${e(machine)}</p>`,
    flagged,
    `<table class="rows"><thead><tr><th>Measure</th><th>Result</th><th>Ratio to its baseline (p50 / p99)</th><th>Target</th></tr></thead><tbody>${table}</tbody></table>`,
    plots,
  ].join('\n');
  return selfContainedPage('Porchlight benchmarks', CSS, body);
}
