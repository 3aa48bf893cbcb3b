// Wire protocol v1 (messages.ts): Closing the ticket, and errors.
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';
import { identifier, lineText, multilineText, ticketId } from '../primitives.js';
import { header } from './header.js';

// ---- closing the ticket's session (IT evidence) ---------------------------------

export const CLOSE_OUTCOMES = ['resolved', 'follow-up', 'escalated'] as const;

/** Seed 000's three questions for an emergency session, same text policy as narration. */
export const closeDocumentationSchema = z.strictObject({
  what: multilineText(1000),
  why: multilineText(1000),
  result: multilineText(1000),
});
export type CloseDocumentation = z.infer<typeof closeDocumentationSchema>;

/** Technician -> relay: record how the support session ended for the ticket. */
export const techCloseSchema = z.strictObject({
  ...header('tech.close'),
  ticketId,
  sessionId: identifier.optional(),
  outcome: z.enum(CLOSE_OUTCOMES),
  note: multilineText(1000).optional(),
  /** Required by the relay when the ticket had an emergency session (`documentation-required`). */
  documentation: closeDocumentationSchema.optional(),
});

export const techClosedSchema = z.strictObject({
  ...header('tech.closed'),
  ticketId,
});

// ---- errors ------------------------------------------------------------------------

export const errorSchema = z.strictObject({
  ...header('error'),
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]),
  detail: lineText(500).optional(),
  /** The id of the message this error answers, when it could be read. */
  re: identifier.optional(),
});

