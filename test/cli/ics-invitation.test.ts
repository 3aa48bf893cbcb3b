// The .ics invitation for an agreed window (RFC 5545), checked octet by octet:
// CRLF line ends, folding at 75 octets without splitting a UTF-8 sequence,
// TEXT escaping, UTC times, and the VEVENT's required properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldLine, icsInvitation, icsText, icsUtc } from '../../src/cli/technician/ics-invitation.js';
import { parseWindowLength } from '../../src/cli/schedule-flags.js';

const event = {
  uid: 'win-1234@porchlight',
  stamp: new Date('2026-12-04T14:03:09.123Z'),
  start: new Date('2026-12-04T18:00:00.000Z'),
  end: new Date('2026-12-04T20:00:00.000Z'),
  summary: 'Remote support: INC0012345 (view, control)',
  description: 'Alice; a "long" line\\with everything, and\na newline',
};

/** Undo folding (RFC 5545 3.1): CRLF followed by one space or tab joins. */
const unfold = (text: string) => text.replace(/\r\n[ \t]/g, '');

describe('icsInvitation', () => {
  it('is one VCALENDAR with one VEVENT, CRLF only, UTC times, and the properties a calendar needs', () => {
    const text = icsInvitation(event);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const lines = unfold(text).split('\r\n').slice(0, -1);
    expect(lines[0]).toBe('BEGIN:VCALENDAR');
    expect(lines.at(-1)).toBe('END:VCALENDAR');
    expect(lines).toEqual(expect.arrayContaining(['VERSION:2.0', 'BEGIN:VEVENT', 'END:VEVENT', 'UID:win-1234@porchlight', 'DTSTAMP:20261204T140309Z', 'DTSTART:20261204T180000Z', 'DTEND:20261204T200000Z']));
    expect(lines).toContain('SUMMARY:Remote support: INC0012345 (view\\, control)');
    expect(lines).toContain('DESCRIPTION:Alice\\; a "long" line\\\\with everything\\, and\\na newline');
    expect(lines.filter((l) => l.startsWith('PRODID:'))).toHaveLength(1);
  });

  it('folds every line at 75 octets, continuation lines start with one space', () => {
    const text = icsInvitation({ ...event, description: 'é'.repeat(200) + 'x'.repeat(100) });
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(unfold(text)).toContain(`DESCRIPTION:${'é'.repeat(200)}${'x'.repeat(100)}`);
  });

  it('folding never splits a character and unfolds to the original (any text)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (s) => {
        const folded = foldLine(`DESCRIPTION:${s}`);
        for (const part of folded.split('\r\n')) {
          expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
          expect(Buffer.from(part, 'utf8').toString('utf8')).toBe(part);
        }
        expect(unfold(folded)).toBe(`DESCRIPTION:${s}`);
      }),
    );
  });

  it('escapes TEXT: backslash, semicolon, comma, newlines; drops other controls', () => {
    expect(icsText('a\\b;c,d\r\ne\nf\rg\u0007h')).toBe('a\\\\b\\;c\\,d\\ne\\nf\\ng' + 'h');
    expect(icsUtc(new Date('2026-01-02T03:04:05.678Z'))).toBe('20260102T030405Z');
  });
});

describe('--window LENGTH', () => {
  it.each([
    ['2h', 2 * 3_600_000],
    ['90m', 90 * 60_000],
    ['1h30m', 90 * 60_000],
    ['0m', 0],
  ])('reads %s', (text, ms) => expect(parseWindowLength(text)).toBe(ms));
  it.each(['', 'h', '2', '2 hours', '1.5h', '-1h', '2h2h'])('refuses %j', (text) => expect(parseWindowLength(text)).toBeUndefined());
});
