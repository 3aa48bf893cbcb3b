// The month a report covers, as a half-open UTC interval [start, end) for a
// calendar month in a time zone (UTC unless --tz). Local dates come from
// Intl, so DST changes and zones whose midnight is skipped are handled.
const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
const HOUR_MS = 3_600_000;

export class MonthWindowError extends Error {
  override readonly name = 'MonthWindowError';
  constructor(
    readonly code: 'bad-month' | 'bad-time-zone',
    message: string,
  ) {
    super(message);
  }
}

export interface MonthWindow {
  /** YYYY-MM as asked. */
  month: string;
  tz: string;
  startMs: number;
  endMs: number;
  /** Days in the month. */
  days: number;
}

export function parseMonth(value: string): { year: number; month: number } {
  const m = MONTH.exec(value);
  if (!m || Number(m[1]) < 1970 || Number(m[1]) > 9999) throw new MonthWindowError('bad-month', `'${value}' is not a month: use YYYY-MM (1970-01 .. 9999-12)`);
  return { year: Number(m[1]), month: Number(m[2]) };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Canonical name of a time zone, or a typed error. */
export function parseTimeZone(tz: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new MonthWindowError('bad-time-zone', `'${tz}' is not a time zone (use an IANA name such as Europe/Berlin, or UTC)`);
  }
}

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(tz, f);
  }
  return f;
}

/** The local calendar date of an instant: YYYY-MM-DD. */
export function localDate(ms: number, tz: string): string {
  const parts = formatter(tz).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The first instant whose local date is `date` or later (binary search: offsets lie within ±15 h). */
export function startOfLocalDate(date: string, tz: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  let lo = Date.UTC(y, m - 1, d) - 15 * HOUR_MS; // local date certainly before `date`
  let hi = Date.UTC(y, m - 1, d) + 15 * HOUR_MS; // local date certainly `date` or later
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(mid, tz) >= date) hi = mid;
    else lo = mid;
  }
  return hi;
}

const pad = (n: number) => String(n).padStart(2, '0');

export function monthWindow(month: string, tz = 'UTC'): MonthWindow {
  const { year, month: m } = parseMonth(month);
  const zone = parseTimeZone(tz);
  const next = m === 12 ? { year: year + 1, month: 1 } : { year, month: m + 1 };
  return {
    month,
    tz: zone,
    startMs: startOfLocalDate(`${year}-${pad(m)}-01`, zone),
    endMs: startOfLocalDate(`${next.year}-${pad(next.month)}-01`, zone),
    days: new Date(Date.UTC(year, m, 0)).getUTCDate(),
  };
}
