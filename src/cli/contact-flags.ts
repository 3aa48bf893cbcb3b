// `request --contact phone|teams|email|sms|in-person|other [--contact-note TEXT]
// [--contact-at HH:MM|ISO]`: how and when the technician reached the user before
// asking (seed 000). The time defaults to now; HH:MM means today, local time.
import { CONTACT_CHANNELS, type Contact } from '../protocol/contact.js';
import { UsageError } from './command.js';

export const CONTACT_OPTIONS = {
  contact: { type: 'string' },
  'contact-note': { type: 'string' },
  'contact-at': { type: 'string' },
} as const;

export const CONTACT_HELP = `  --contact        how you reached the user before asking: ${CONTACT_CHANNELS.join('|')};
                   the dialog says it ("Alice called you about this at 10:32"), both audits
                   keep it; IT may require it for attended requests (policy requireContact)
  --contact-note   a short note on it (e.g. "called ext. 4411"), shown as your own words
  --contact-at     when you reached the user: HH:MM today (local time) or an ISO time (default now)`;

function contactTime(value: string | undefined, now: Date): string {
  if (value === undefined) return now.toISOString();
  const hm = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (hm) {
    const at = new Date(now);
    at.setHours(Number(hm[1]), Number(hm[2]), 0, 0);
    return at.toISOString();
  }
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(ms)) throw new UsageError('--contact-at must be HH:MM (today, local time) or an ISO time such as 2026-12-04T10:32');
  return new Date(ms).toISOString();
}

/** The request's contact field, or undefined when --contact was not given. */
export function parseContactFlags(values: Record<string, string | boolean | undefined>, now: Date = new Date()): Contact | undefined {
  const channel = values.contact;
  if (channel === undefined) {
    if (values['contact-note'] !== undefined || values['contact-at'] !== undefined) throw new UsageError('--contact-note and --contact-at go with --contact');
    return undefined;
  }
  if (typeof channel !== 'string' || !(CONTACT_CHANNELS as readonly string[]).includes(channel)) throw new UsageError(`--contact must be one of ${CONTACT_CHANNELS.join(', ')}`);
  const note = values['contact-note'];
  const at = contactTime(typeof values['contact-at'] === 'string' ? values['contact-at'] : undefined, now);
  return { channel: channel as Contact['channel'], at, ...(typeof note === 'string' ? { note } : {}) };
}
