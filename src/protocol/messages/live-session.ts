// Wire protocol v1 (messages.ts): A live session: narration, escalation, scope updates, file announcements.
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../error-codes.js';
import { auditAnchor, identifier, isoTimestamp, lineText, minutes, mode, multilineText, nonce, scopeList, scopeSet, signature, technician, ticketId } from '../primitives.js';
import { header } from './header.js';
import { deviceSignatureSchema } from './connection.js';

// ---- live session --------------------------------------------------------------

/** Agent -> relay -> technician. */
export const sessionStartedSchema = z.strictObject({
  ...header('session.started'),
  sessionId: identifier,
  requestId: identifier,
  scopes: scopeSet,
  mode,
  startedAt: isoTimestamp,
  endsAt: isoTimestamp,
  audit: auditAnchor.optional(),
  deviceSig: deviceSignatureSchema.optional(),
});

/** Technician -> relay -> agent: say what you are about to do (seed 003). */
export const sessionNarrationSchema = z.strictObject({
  ...header('session.narration'),
  sessionId: identifier,
  text: multilineText(1000),
});

/** Agent -> relay -> technician: the user's own words from the banner's reply box (issue 20), same text policy as narration. */
export const sessionUserMessageSchema = z.strictObject({
  ...header('session.user-message'),
  sessionId: identifier,
  text: multilineText(1000),
  /** When the user sent it (the agent's clock). */
  at: isoTimestamp,
  /** Sent with the "I have a question" quick action (a fixed text). */
  quick: z.literal('question').optional(),
  audit: auditAnchor.optional(),
  /** Bound to the session's request: the user's device said it, not only the relay. */
  deviceSig: deviceSignatureSchema.optional(),
});

/**
 * Technician -> relay -> agent: a note of an executed command or a changed
 * configuration (seed 003, `/note`); kept in both audits and shown to the user
 * in the summary under "What was changed". Same text policy as narration.
 */
export const sessionNoteSchema = z.strictObject({
  ...header('session.note'),
  sessionId: identifier,
  text: multilineText(1000),
});

/** Technician -> relay: ask for more scopes and/or more time mid-session. */
export const techScopeRequestSchema = z
  .strictObject({
    ...header('tech.scope-request'),
    sessionId: identifier,
    scopes: scopeList,
    extendMinutes: minutes.optional(),
    reason: multilineText(500),
  })
  .refine((m) => m.scopes.length > 0 || m.extendMinutes !== undefined, { message: 'asks for nothing' });

export const scopeRequestPayloadSchema = z
  .strictObject({
    requestId: identifier,
    sessionId: identifier,
    deviceId: identifier,
    technician,
    scopes: scopeList,
    extendMinutes: minutes.optional(),
    reason: multilineText(500),
    nonce,
    issuedAt: isoTimestamp,
    expiresAt: isoTimestamp,
  })
  .refine((m) => m.scopes.length > 0 || m.extendMinutes !== undefined, { message: 'asks for nothing' });
export type ScopeRequestPayload = z.infer<typeof scopeRequestPayloadSchema>;

/** Relay -> agent, signed: fresh consent for the added scopes / time only. */
export const sessionScopeRequestSchema = z.strictObject({
  ...header('session.scope-request'),
  payload: scopeRequestPayloadSchema,
  sig: signature,
});

export const SCOPE_CHANGES = ['escalation-accepted', 'escalation-partial', 'escalation-declined', 'revoked', 'extended'] as const;

/** Agent -> relay -> technician: the session's grants after a change. */
export const sessionScopeUpdateSchema = z.strictObject({
  ...header('session.scope-update'),
  sessionId: identifier,
  change: z.enum(SCOPE_CHANGES),
  /** The scopes this change is about (added, refused or revoked). */
  scopes: scopeList,
  /** All scopes granted after the change. */
  granted: scopeList,
  endsAt: isoTimestamp,
  requestId: identifier.optional(),
  audit: auditAnchor.optional(),
  deviceSig: deviceSignatureSchema.optional(),
});

export const FILE_DIRECTIONS = ['to-device', 'from-device'] as const;

/** Technician -> relay -> agent: announce a transfer; the agent checks its file rules. */
export const sessionFileTransferSchema = z.strictObject({
  ...header('session.file-transfer'),
  sessionId: identifier,
  transferId: identifier,
  name: lineText(255).refine((n) => !/[/\\]/.test(n) && n !== '.' && n !== '..', { message: 'is not a plain file name' }),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'is not a lowercase hex sha256'),
  direction: z.enum(FILE_DIRECTIONS),
  ticketId: ticketId.optional(),
});

/** Agent -> relay -> technician. */
export const sessionFileTransferResultSchema = z.strictObject({
  ...header('session.file-transfer-result'),
  sessionId: identifier,
  transferId: identifier,
  allowed: z.boolean(),
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).optional(),
  detail: lineText(300).optional(),
  audit: auditAnchor.optional(),
});

