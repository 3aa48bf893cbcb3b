// Wire protocol v1 (messages.ts): windows the user agrees to in advance (issue 20).
// The technician proposes a time (tech.schedule); the relay signs it for the
// device (schedule.request); the user agrees or declines (schedule.decision),
// and an agreed window is a record the device key signs (agreedWindowSchema),
// kept by both sides. The user can cancel it at any time (schedule.revoked).
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';
import { auditAnchor, identifier, isoTimestamp, lineText, nonce, scopeSet, signature, slug, ticketId } from '../primitives.js';
import { header } from './header.js';
import { DECIDED_BY, sessionRequestPayloadSchema, sessionRequestSchema, techRequestSchema } from './session-request.js';

/** When the proposed window starts and ends. */
const windowTimes = { startsAt: isoTimestamp, endsAt: isoTimestamp };

/** Technician -> relay: "may I connect between startsAt and endsAt?" (a session request's who, what and why). */
export const techScheduleSchema = techRequestSchema
  .pick({ deviceId: true, ticket: true, reason: true, scopes: true })
  .extend({ ...header('tech.schedule'), ...windowTimes });

/** What the relay signs for the agent, bound to device, nonce and expiry exactly like a session request. */
export const scheduleRequestPayloadSchema = sessionRequestPayloadSchema
  .pick({
    requestId: true,
    deviceId: true,
    technician: true,
    ticket: true,
    reason: true,
    scopes: true,
    verificationCode: true,
    nonce: true,
    issuedAt: true,
    expiresAt: true,
  })
  .extend(windowTimes);
export type ScheduleRequestPayload = z.infer<typeof scheduleRequestPayloadSchema>;

/** Relay -> agent, signed by the relay key pinned in the agent's policy (the session request's envelope). */
export const scheduleRequestSchema = sessionRequestSchema.extend({
  ...header('schedule.request'),
  payload: scheduleRequestPayloadSchema,
});

/** The window the user agreed to: signed by the device key over canonical JSON. */
export const agreedWindowSchema = z.strictObject({
  windowId: identifier,
  deviceId: identifier,
  /** The schedule request it answers and that request's nonce: a window is bound to what the relay signed. */
  requestId: identifier,
  nonce,
  technicianId: slug,
  technicianName: lineText(64),
  ticketId,
  scopes: scopeSet,
  startsAt: isoTimestamp,
  endsAt: isoTimestamp,
  agreedAt: isoTimestamp,
});
export type AgreedWindow = z.infer<typeof agreedWindowSchema>;

/** The window as the user agrees to it: what the relay proposed, for this device, with the scopes agreed. */
export function agreedWindowFor(
  p: ScheduleRequestPayload,
  o: { windowId: string; deviceId: string; scopes: AgreedWindow['scopes']; agreedAt: string },
): AgreedWindow {
  return {
    windowId: o.windowId,
    deviceId: o.deviceId,
    requestId: p.requestId,
    nonce: p.nonce,
    technicianId: p.technician.id,
    technicianName: p.technician.name,
    ticketId: p.ticket.id,
    scopes: o.scopes,
    startsAt: p.startsAt,
    endsAt: p.endsAt,
    agreedAt: o.agreedAt,
  };
}

export const signedAgreedWindowSchema = z.strictObject({ window: agreedWindowSchema, sig: signature });
export type SignedAgreedWindow = z.infer<typeof signedAgreedWindowSchema>;

export const SCHEDULE_OUTCOMES = ['agreed', 'declined', 'expired', 'blocked', 'no-user-present'] as const;
export type ScheduleOutcome = (typeof SCHEDULE_OUTCOMES)[number];

/** Agent -> relay -> technician: the user's answer; `agreed` carries the signed window. */
export const scheduleDecisionSchema = z.strictObject({
  ...header('schedule.decision'),
  requestId: identifier,
  outcome: z.enum(SCHEDULE_OUTCOMES),
  decidedBy: z.enum(DECIDED_BY),
  decidedAt: isoTimestamp,
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).optional(),
  detail: lineText(300).optional(),
  agreed: signedAgreedWindowSchema.optional(),
  audit: auditAnchor.optional(),
});

/** The device's own word that a window is cancelled (signed by the device key). */
export const windowRevocationSchema = z.strictObject({
  windowId: identifier,
  deviceId: identifier,
  revokedAt: isoTimestamp,
});
export type WindowRevocation = z.infer<typeof windowRevocationSchema>;

/** Agent -> relay -> technician: the user cancelled an agreed window. */
export const scheduleRevokedSchema = z.strictObject({
  ...header('schedule.revoked'),
  revocation: windowRevocationSchema,
  sig: signature,
  audit: auditAnchor.optional(),
});
