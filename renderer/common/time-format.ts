// Durations and times as people read them, using the strings table.
import { strings } from '../../src/shared/strings.js';

export { clock } from '../../src/shared/countdown-text.js';

/** 105 s -> "1 minute 45 seconds"; for screen readers and the copied summary. */
export function spokenDuration(totalSec: number): string {
  const sec = Math.max(0, Math.round(totalSec));
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  const parts: string[] = [];
  if (h > 0) parts.push(strings.units.hours(h));
  if (m > 0) parts.push(strings.units.minutes(m));
  if (s > 0 || parts.length === 0) parts.push(strings.units.seconds(s));
  return parts.join(' ');
}

/** Local time of day, e.g. "14:05". */
export function timeOfDay(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/** Local date and time, e.g. "24 Nov 2026, 14:05". */
export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** 1536 -> "1.5 KB". */
export function byteSize(bytes: number): string {
  const units = strings.units.bytes;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || value >= 10 ? Math.round(value).toString() : value.toFixed(1);
  return `${shown} ${units[unit] ?? ''}`;
}
