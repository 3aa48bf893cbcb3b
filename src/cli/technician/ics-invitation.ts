// The calendar invitation `porchlight request --ics FILE` writes for an agreed
// window (issue 20): one RFC 5545 VEVENT. Lines end in CRLF and are folded at
// 75 octets (never inside a UTF-8 sequence); TEXT values escape backslash,
// semicolon, comma and newlines; times are UTC (DTSTART/DTEND ...Z).

export interface IcsEvent {
  uid: string;
  /** When the invitation was made. */
  stamp: Date;
  start: Date;
  end: Date;
  summary: string;
  description?: string;
}

/** RFC 5545 3.3.5 form 2: 20261204T180000Z. */
export function icsUtc(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** RFC 5545 3.3.11: TEXT escapes; a CR/LF becomes \n; other controls go. */
export function icsText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    // eslint-disable-next-line no-control-regex -- removing controls is the point
    .replace(/[\u0000-\u001f\u007f]/g, '');
}

/** RFC 5545 3.1: at most 75 octets a line, continuation lines start with one space. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    // The first line holds 75 octets; each continuation 74 after its leading space.
    const limit = parts.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += ch;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

export function icsInvitation(e: IcsEvent): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Porchlight//agreed window//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${icsText(e.uid)}`,
    `DTSTAMP:${icsUtc(e.stamp)}`,
    `DTSTART:${icsUtc(e.start)}`,
    `DTEND:${icsUtc(e.end)}`,
    `SUMMARY:${icsText(e.summary)}`,
    ...(e.description ? [`DESCRIPTION:${icsText(e.description)}`] : []),
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
