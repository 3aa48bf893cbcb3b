// Wire protocol v1 (messages.ts): Asking for a session and deciding it.
import { z } from 'zod';
import { APPROVAL_PATHS, approvalSchema } from '../approval.js';
import { contactSchema } from '../contact.js';
import { maintenanceSchema } from '../maintenance.js';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';
import { auditAnchor, identifier, isoTimestamp, lineText, minutes, mode, multilineText, nonce, scopeList, scopeSet, signature, technician, ticket, ticketId, verificationCode } from '../primitives.js';
import { header } from './header.js';
import { deviceSignatureSchema } from './connection.js';

// ---- requesting a session ----------------------------------------------------

/** Technician -> relay. The relay adds the verified identity, code, nonce and expiry, then signs. */
export const techRequestSchema = z.strictObject({
  ...header('tech.request'),
  deviceId: identifier,
  ticket,
  reason: multilineText(500),
  scopes: scopeSet,
  mode,
  approval: approvalSchema.optional(),
  estimatedMinutes: minutes,
  /** How and when the technician reached the user before asking. */
  contact: contactSchema.optional(),
  /** Unattended only: the maintenance task and what it covered. */
  maintenance: maintenanceSchema.optional(),
});

/** Relay -> technician: the request went out; read the code to the user. */
export const sessionPendingSchema = z.strictObject({
  ...header('session.pending'),
  requestId: identifier,
  deviceId: identifier,
  verificationCode,
  expiresAt: isoTimestamp,
  /** This technician's tickets with an emergency session not yet closed with what / why / result. */
  undocumentedEmergencies: z.array(ticketId).max(100).optional(),
});

/** What the relay signs for the agent: bound to device, nonce and expiry. */
export const sessionRequestPayloadSchema = z.strictObject({
  requestId: identifier,
  deviceId: identifier,
  technician,
  ticket,
  reason: multilineText(500),
  scopes: scopeSet,
  mode,
  approval: approvalSchema.optional(),
  estimatedMinutes: minutes,
  contact: contactSchema.optional(),
  maintenance: maintenanceSchema.optional(),
  verificationCode,
  nonce,
  issuedAt: isoTimestamp,
  expiresAt: isoTimestamp,
});
export type SessionRequestPayload = z.infer<typeof sessionRequestPayloadSchema>;

/** Relay -> agent, signed by the relay key pinned in the agent's policy. */
export const sessionRequestSchema = z.strictObject({
  ...header('session.request'),
  payload: sessionRequestPayloadSchema,
  sig: signature,
});

/** Technician -> relay -> agent: withdraw a request that is still pending. */
export const sessionCancelSchema = z.strictObject({
  ...header('session.cancel'),
  requestId: identifier,
});

export const OUTCOMES = ['accepted', 'partial', 'declined', 'expired', 'blocked', 'no-user-present'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const DECIDED_BY = [
  'user', // the user clicked (Allow, or Decline: outcome declined)
  'dialog-closed', // the user closed the dialog window: decline
  'escape', // the user pressed Escape in the dialog: decline
  'timeout', // nobody answered in time: decline
  'policy', // local policy blocked before the user saw anything
  'verification', // signature, replay, expiry or approval check failed
  'rate-limit', // too many prompts from this technician
  'queue-full', // consent queue overflow
  'relay-lost', // the relay went away while prompting
  'agent-restart', // the agent restarted while prompting
  'cancelled', // the technician withdrew the request
  'approval', // unattended with a valid approval token
  'agreed-window', // attended, inside a window the user agreed to in advance (issue 20): no prompt, banner and notice
  'emergency', // unattended with an emergency justification
  'no-user', // headless agent, attended request
  'audit-failure', // the audit log could not be written: never grant without a record
] as const;
export type DecidedBy = (typeof DECIDED_BY)[number];

/** Agent -> relay -> technician. */
export const sessionDecisionSchema = z.strictObject({
  ...header('session.decision'),
  requestId: identifier,
  outcome: z.enum(OUTCOMES),
  granted: scopeList,
  declined: scopeList,
  decidedBy: z.enum(DECIDED_BY),
  decidedAt: isoTimestamp,
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).optional(),
  detail: lineText(300).optional(),
  sessionId: identifier.optional(),
  grantedMinutes: minutes.optional(),
  /** Requests backed by a manager approval: whether a present user decided or the approval applied, and why. */
  approvalPath: z.enum(APPROVAL_PATHS).optional(),
  audit: auditAnchor.optional(),
  deviceSig: deviceSignatureSchema.optional(),
});

