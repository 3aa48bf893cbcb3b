// Approval for unattended access (seed 000: manager approval in writing, or an
// emergency with documented justification). A manager approval is a token
// signed by the IT approvals key, which the relay never holds.
import { z } from 'zod';
import { identifier, isoTimestamp, lineText, multilineText, nonce, scopeSet, signature, slug, ticketId } from './primitives.js';

/**
 * Longest validity (expiresAt - issuedAt) of a manager approval: seed 003 asks
 * for time-bound tokens, so `approve` refuses to sign longer ones and the agent
 * refuses to honour them.
 */
export const MAX_APPROVAL_LIFETIME_MS = 7 * 24 * 3600_000;

/** Most sessions one approval may start (`approve --uses N`); a token without `uses` allows one. */
export const MAX_APPROVAL_USES = 100;

/**
 * How a request backed by a manager approval was decided (issue 20: the approval applies only when the
 * user is away). `user-accepted` / `user-declined`: a user at the device answered the prompt, the approval
 * was not used; `no-answer`: nobody answered in time; `headless`: no desktop session to ask;
 * `screen-locked`: the platform said the screen is locked; `interrupted`: the prompt ended otherwise
 * (cancel, relay lost, restart), nothing was granted.
 */
export const APPROVAL_PATHS = ['user-accepted', 'user-declined', 'no-answer', 'headless', 'screen-locked', 'interrupted'] as const;
export type ApprovalPath = (typeof APPROVAL_PATHS)[number];

export const approvalPayloadSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('approval'),
  deviceId: identifier,
  technicianId: slug,
  scopes: scopeSet,
  ticketId,
  /** Trackable reference to the written approval (e-mail id, change number). */
  reference: lineText(200),
  /** Who approved (the user's manager). */
  approver: lineText(100),
  issuedAt: isoTimestamp,
  expiresAt: isoTimestamp,
  nonce,
  /** Sessions this approval may start (absent: 1); the relay counts them and so does the agent. */
  uses: z.number().int().min(1).max(MAX_APPROVAL_USES).optional(),
});
export type ApprovalPayload = z.infer<typeof approvalPayloadSchema>;

/** How many sessions the approval allows. */
export function approvalUses(payload: ApprovalPayload): number {
  return payload.uses ?? 1;
}

export const approvalTokenSchema = z.strictObject({ payload: approvalPayloadSchema, sig: signature });
export type ApprovalToken = z.infer<typeof approvalTokenSchema>;

export const approvalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('manager'), token: approvalTokenSchema }),
  z.strictObject({ kind: z.literal('emergency'), justification: multilineText(1000), incident: lineText(100) }),
]);
export type Approval = z.infer<typeof approvalSchema>;
