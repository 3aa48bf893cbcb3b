// How the technician reached the user before asking (seed 000: reach the user
// first, by phone, Teams, email or another channel, and confirm they are there).
// The technician states it; the relay signs it into the request, the dialog says
// it in words and both audits keep it. Browser-safe.
import { z } from 'zod';
import { isoTimestamp, lineText } from './primitives.js';

export const CONTACT_CHANNELS = ['phone', 'teams', 'email', 'sms', 'in-person', 'other'] as const;

export const CONTACT_NOTE_MAX = 120;

export const contactSchema = z.strictObject({
  channel: z.enum(CONTACT_CHANNELS),
  /** When the technician reached the user. */
  at: isoTimestamp,
  /** e.g. "called ext. 4411"; the technician's own words. */
  note: lineText(CONTACT_NOTE_MAX).optional(),
});
export type Contact = z.infer<typeof contactSchema>;
