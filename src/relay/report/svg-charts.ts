// Inline SVG charts for the HTML report: no script, no external resources.
// Colours come from CSS classes (c-*) so light and dark themes restyle them;
// each chart has a <title> and an aria-label, each bar a <title> tooltip.
import { escapeHtml as e } from './html-escape.js';

export type Tone = 'accent' | 'good' | 'warn' | 'bad' | 'muted' | 'alt';

export interface Bar {
  label: string;
  value: number;
  tone: Tone;
  /** Shown after the bar instead of the bare value. */
  note?: string;
}

// Full-width charts use about the width they are shown at, so their text matches the page text.
const W = 960;

function niceMax(n: number): number {
  if (n <= 4) return Math.max(1, n);
  const step = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= n) return m * step;
  return 10 * step;
}

/** Requests per day of the month. */
export function dailyChart(values: readonly number[], title: string, dayLabel: (day: number) => string): string {
  const H = 220;
  const left = 34;
  const right = 8;
  const top = 12;
  const bottom = 26;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = niceMax(Math.max(0, ...values));
  const slot = plotW / Math.max(1, values.length);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const grid = (Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max])
    .map((v) => `<line class="grid" x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}"/><text class="lbl" x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${e(Number.isInteger(v) ? v : v.toFixed(1))}</text>`)
    .join('');
  const bars = values
    .map((v, i) => {
      const h = (v / max) * plotH;
      const x = left + i * slot + slot * 0.15;
      return `<rect class="c-accent" x="${x.toFixed(1)}" y="${(top + plotH - h).toFixed(1)}" width="${(slot * 0.7).toFixed(1)}" height="${h.toFixed(1)}" rx="2"><title>${e(dayLabel(i + 1))}: ${e(v)}</title></rect>`;
    })
    .join('');
  const ticks = [1, 5, 10, 15, 20, 25, values.length]
    .filter((d, i, a) => d <= values.length && a.indexOf(d) === i && !(d !== values.length && values.length - d < 3))
    .map((d) => `<text class="lbl" x="${(left + (d - 0.5) * slot).toFixed(1)}" y="${H - 8}" text-anchor="middle">${d}</text>`)
    .join('');
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${e(title)}"><title>${e(title)}</title>${grid}${bars}${ticks}</svg>`;
}

/** One labelled horizontal bar per item; `narrow` for a half-width column (text keeps its size). */
export function barChart(bars: readonly Bar[], title: string, narrow = false): string {
  const W = narrow ? 400 : 960;
  const row = 28;
  const labelW = narrow ? 120 : 200;
  const valueW = narrow ? 86 : 110;
  const H = bars.length * row + 4;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const span = W - labelW - valueW;
  const body = bars
    .map((b, i) => {
      const y = i * row + 4;
      const w = b.value === 0 ? 0 : Math.max(2, (b.value / max) * span);
      return (
        `<text class="lbl strong" x="0" y="${y + 15}">${e(b.label)}</text>` +
        `<rect class="track" x="${labelW}" y="${y + 3}" width="${span}" height="16" rx="3"/>` +
        `<rect class="c-${b.tone}" x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="16" rx="3"><title>${e(b.label)}: ${e(b.note ?? b.value)}</title></rect>` +
        `<text class="lbl" x="${(labelW + span + 8).toFixed(1)}" y="${y + 15}">${e(b.note ?? b.value)}</text>`
      );
    })
    .join('');
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${e(title)}"><title>${e(title)}</title>${body}</svg>`;
}
