import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate, monthWindow, MonthWindowError, parseMonth, parseTimeZone } from '../../src/relay/report/month-window.js';

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'America/Santiago', 'Asia/Kolkata', 'Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Australia/Lord_Howe', 'America/Sao_Paulo', 'Asia/Beirut'];

describe('month window', () => {
  it('accepts exactly YYYY-MM and rejects everything else with a typed error', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => {
        const ok = /^\d{4}-(0[1-9]|1[0-2])$/.test(s) && Number(s.slice(0, 4)) >= 1970;
        try {
          const m = parseMonth(s);
          return ok && m.month >= 1 && m.month <= 12;
        } catch (err) {
          return !ok && err instanceof MonthWindowError && err.code === 'bad-month';
        }
      }),
      { seed: 9, numRuns: 500 },
    );
    for (const bad of ['2026-13', '2026-1', '26-11', '2026-11-01', ' 2026-11', '1969-12']) expect(() => parseMonth(bad)).toThrow(MonthWindowError);
  });

  it('rejects an unknown time zone with a typed error', () => {
    expect(() => parseTimeZone('Mars/Olympus')).toThrow(expect.objectContaining({ code: 'bad-time-zone' }));
    expect(parseTimeZone('utc')).toBe('UTC');
  });

  it('starts at the first instant of day 1 and ends where the next month starts, in any zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1971, max: 2037 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom(...ZONES), (year, month, tz) => {
        const m = `${year}-${String(month).padStart(2, '0')}`;
        const w = monthWindow(m, tz);
        expect(localDate(w.startMs, tz)).toBe(`${m}-01`);
        expect(localDate(w.startMs - 1, tz) < `${m}-01`).toBe(true);
        expect(localDate(w.endMs - 1, tz).slice(0, 7)).toBe(m);
        expect(localDate(w.endMs, tz).slice(0, 7) > m).toBe(true);
        expect(w.days).toBe(new Date(Date.UTC(year, month, 0)).getUTCDate());
      }),
      { seed: 11, numRuns: 200 },
    );
  });
});
