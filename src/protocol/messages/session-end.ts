// Wire protocol v1 (messages.ts): How a session ends, and its summary.
import { z } from 'zod';
import { auditAnchor, identifier, isoTimestamp, lineText, mode, multilineText, scopeList, technician, ticket } from '../primitives.js';
import { header } from './header.js';
import { FILE_DIRECTIONS } from './live-session.js';
import { deviceSignatureSchema } from './connection.js';

/**
 * `agent-lost`: the relay saw the device's connection drop during the session
 * (the agent died or lost its network); only the relay says it.
 */
export const END_REASONS = ['user', 'technician', 'expiry', 'relay-lost', 'agent-exit', 'policy', 'agent-lost'] as const;

/** Either side. */
export const sessionEndSchema = z.strictObject({
  ...header('session.end'),
  sessionId: identifier,
  by: z.enum(END_REASONS),
  reason: lineText(300).optional(),
  audit: auditAnchor.optional(),
});

export const fileRecordSchema = z.strictObject({
  transferId: identifier,
  name: lineText(255),
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  direction: z.enum(FILE_DIRECTIONS),
  allowed: z.boolean(),
});

export const sessionSummaryBodySchema = z.strictObject({
  sessionId: identifier,
  requestId: identifier,
  deviceId: identifier,
  technician,
  ticket,
  mode,
  scopesGranted: scopeList,
  scopesUsed: scopeList,
  startedAt: isoTimestamp,
  endedAt: isoTimestamp,
  durationSec: z.number().int().min(0),
  files: z.array(fileRecordSchema).max(500),
  /** Files announced in the session but not listed (the newest are listed; the audit log has all). */
  filesOmitted: z.number().int().min(1).optional(),
  narrationCount: z.number().int().min(0),
  endedBy: z.enum(END_REASONS),
});
export type SessionSummary = z.infer<typeof sessionSummaryBodySchema>;

/** Agent -> relay -> technician, after session.end. */
export const sessionSummarySchema = z.strictObject({
  ...header('session.summary'),
  summary: sessionSummaryBodySchema,
  audit: auditAnchor.optional(),
  deviceSig: deviceSignatureSchema.optional(),
});


/** The user's 1-5 rating of the help they had (CSAT). */
export const resolutionRating = z.number().int().min(1).max(5);

/**
 * Agent -> relay -> technician (if still connected), after the session: the
 * user's answer to "Is your problem solved?" on the summary page (issue 20).
 */
export const sessionResolutionSchema = z.strictObject({
  ...header('session.resolution'),
  sessionId: identifier,
  solved: z.boolean(),
  rating: resolutionRating.optional(),
  comment: multilineText(500).optional(),
  /** When the user answered (the agent's clock). */
  at: isoTimestamp,
  audit: auditAnchor.optional(),
  /** Bound to the session's request, like the summary it answers. */
  deviceSig: deviceSignatureSchema.optional(),
});
