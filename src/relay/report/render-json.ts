// The report as JSON: the model itself, for other tools.
import type { MonthlyReport } from './report-model.js';

export function renderJson(r: MonthlyReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
