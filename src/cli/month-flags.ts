// --month, --tz and --format for the monthly outputs (`report`, `relay review`):
// the same words for the same mistakes in both commands.
import { monthWindow, MonthWindowError, type MonthWindow } from '../relay/report/month-window.js';
import { parseArgs } from './parse-args.js';
import { UsageError } from './command.js';

const MONTH_OPTIONS = {
  month: { type: 'string' },
  format: { type: 'string', default: 'md' },
  out: { type: 'string' },
  tz: { type: 'string', default: 'UTC' },
  data: { type: 'string' },
  storage: { type: 'string' },
} as const;

export interface MonthFlags<T> {
  month: string;
  render: (model: T) => string;
  window: MonthWindow;
  out?: string;
  data?: string;
  storage?: string;
}

export function parseMonthFlags<T>(argv: string[], renderers: Record<string, (model: T) => string>): MonthFlags<T> {
  const { values } = parseArgs({ args: argv, options: MONTH_OPTIONS, strict: true });
  if (!values.month) throw new UsageError('--month YYYY-MM is required');
  const render = Object.hasOwn(renderers, values.format) ? renderers[values.format] : undefined;
  if (!render) throw new UsageError(`--format must be ${Object.keys(renderers).join(', ').replace(/, (\w+)$/, ' or $1')}`);
  try {
    return { month: values.month, render, window: monthWindow(values.month, values.tz), out: values.out, data: values.data, storage: values.storage };
  } catch (err) {
    if (err instanceof MonthWindowError) throw new UsageError(err.message);
    throw err;
  }
}
