// "tonight 18:00-20:00", "tomorrow 09:00-11:00", "on Monday 18:00-20:00": an
// agreed window in the user's own words, time zone and clock (issue 20). The
// scheduling prompt and the tray menu say it the same way. Browser-safe.
import { strings } from './strings.js';

export interface WindowWordsOptions {
  /** BCP 47 locale for the clock format (default: the runtime's). */
  locale?: string;
  /** IANA time zone (default: the runtime's). */
  timeZone?: string;
  /** Between the two times (default '-'; a page passes a non-breaking hyphen so the range never wraps). */
  dash?: string;
}

const w = strings.windowWords;

/** The calendar day of an instant in a time zone, as a day number (for differences in whole days). */
function dayNumber(ms: number, o: WindowWordsOptions): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: o.timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(ms);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Math.round(Date.UTC(get('year'), get('month') - 1, get('day')) / 86_400_000);
}

function hourOf(ms: number, o: WindowWordsOptions): number {
  const text = new Intl.DateTimeFormat('en-US', { timeZone: o.timeZone, hour: 'numeric', hourCycle: 'h23' }).format(ms);
  return Number(text);
}

/** The clock time, e.g. 18:00 (or 6:00 PM where that is the locale's way). */
export function clockTime(ms: number, o: WindowWordsOptions = {}): string {
  return new Intl.DateTimeFormat(o.locale, { timeZone: o.timeZone, hour: '2-digit', minute: '2-digit' }).format(ms);
}

/** "tonight", "today", "tomorrow", "on Monday", "on 12 Dec": the day of `ms` seen from `now`. */
export function dayWords(ms: number, now: number, o: WindowWordsOptions = {}): string {
  const days = dayNumber(ms, o) - dayNumber(now, o);
  const evening = hourOf(ms, o) >= w.eveningFromHour;
  if (days === 0) return evening ? w.tonight : w.today;
  if (days === 1) return evening ? w.tomorrowEvening : w.tomorrow;
  if (days > 1 && days < 7) return w.onDay(new Intl.DateTimeFormat(o.locale, { timeZone: o.timeZone, weekday: 'long' }).format(ms));
  const sameYear = new Intl.DateTimeFormat('en-US', { timeZone: o.timeZone, year: 'numeric' });
  const withYear = sameYear.format(ms) !== sameYear.format(now);
  return w.onDay(new Intl.DateTimeFormat(o.locale, { timeZone: o.timeZone, day: 'numeric', month: 'short', ...(withYear ? { year: 'numeric' } : {}) }).format(ms));
}

/** "tonight 18:00-20:00"; a window that ends on a later day says so ("tonight 23:00-01:00 (next day)"). */
export function windowWords(startsAt: string, endsAt: string, now: number, o: WindowWordsOptions = {}): string {
  const start = Date.parse(startsAt);
  const end = Date.parse(endsAt);
  const later = dayNumber(end, o) > dayNumber(start, o) ? ` ${w.nextDay}` : '';
  return `${dayWords(start, now, o)} ${clockTime(start, o)}${o.dash ?? '-'}${clockTime(end, o)}${later}`;
}
