// The relay's central audit: one record per request, decision, session event,
// file transfer, policy block and ticket close. Records are hash-chained
// (see auditRecordHash) so a signed checkpoint of the head proves every
// record before it (issue 9: evidence bundles).
import { z } from 'zod';
import { APPROVAL_PATHS, approvalTokenSchema } from '../../protocol/approval.js';
import { contactSchema } from '../../protocol/contact.js';
import { maintenanceSchema } from '../../protocol/maintenance.js';
import { canonicalize } from '../../protocol/canonical-json.js';
import { ERROR_CODES, type ErrorCode } from '../../protocol/error-codes.js';
import {
  CHANNEL_KINDS,
  CLOSE_OUTCOMES,
  closeDocumentationSchema,
  DECIDED_BY,
  END_REASONS,
  FILE_DIRECTIONS,
  OUTCOMES,
  SCHEDULE_OUTCOMES,
  SCOPE_CHANGES,
  deviceSignatureSchema,
  signedAgreedWindowSchema,
  resolutionRating,
  sessionSummaryBodySchema,
} from '../../protocol/messages.js';
import { auditAnchor, identifier, publicKey, isoTimestamp, signature, lineText, minutes, multilineText, scopeList, scopeSet, slug, technician, ticket, ticketId } from '../../protocol/primitives.js';
import { sha256Hex } from '../../protocol/signing.js';
import { CLOSE_CODE_RANGE } from '../relay-constants.js';

/** attended | unattended (manager approval) | emergency (unattended with justification). */
export const SESSION_MODES = ['attended', 'unattended', 'emergency'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

const errorCode = z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]);

/** What the relay knew about the approval (the token itself is kept for offline re-verification). */
const approvalRecord = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('manager'),
    approver: lineText(100),
    reference: lineText(200),
    expiresAt: isoTimestamp,
    token: approvalTokenSchema,
    /** Which of the approval's uses this request took, and how many it allows (approve --uses N). */
    use: z.number().int().min(1).optional(),
    uses: z.number().int().min(1).optional(),
  }),
  z.strictObject({ kind: z.literal('emergency'), justification: multilineText(1000), incident: lineText(100) }),
]);

/**
 * The device's signature on the frame a record was made from, with the enrolled key it verified under, so an
 * auditor can re-check offline that the user's device said what the record says (the signed message is rebuilt
 * from the record: see src/relay/evidence/device-signed-records.ts).
 */
const deviceSigned = deviceSignatureSchema.extend({ devicePublicKey: publicKey }).optional();

/** The agent re-sent this report after the relay lost it (killed, connection dropped): recorded when it arrived. */
const lateFlag = z.literal(true).optional();

/** Why a technician sign-in was refused (never the secret itself). */
export const SIGN_IN_FAILURES = ['unknown-token', 'expired', 'disabled', 'rotated', 'otp-required', 'wrong-otp', 'mfa-not-enrolled', 'locked-out'] as const;
export type SignInFailure = (typeof SIGN_IN_FAILURES)[number];

export const ADMIN_ACTIONS = [
  'technician-added',
  'technician-changed',
  'technician-disabled',
  'technician-enabled',
  'technician-removed',
  'token-rotated',
  'mfa-enrolled',
  'mfa-reset',
  'device-enrollment-issued',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/** A technician account as the admin trail shows it before and after a change: no token hash, no secret. */
export const technicianView = z.strictObject({
  name: lineText(100),
  group: slug,
  org: lineText(100).optional(),
  scopes: scopeList,
  unattended: z.boolean(),
  disabled: z.boolean(),
  mfa: z.boolean(),
  tokenExpiresAt: isoTimestamp.optional(),
  disableAt: isoTimestamp.optional(),
});
export type TechnicianView = z.infer<typeof technicianView>;

/**
 * Each audit kind and its data. `agentAudit` is the agent's anchor (seq and
 * hash of its own record of the event), kept so a truncated agent log shows.
 */
export const AUDIT_DATA_SCHEMAS = {
  /** The relay signed and forwarded a session request. */
  request: z.strictObject({
    technician,
    ticket,
    mode: z.enum(SESSION_MODES),
    scopes: scopeSet,
    reason: multilineText(500),
    estimatedMinutes: minutes,
    approval: approvalRecord.optional(),
    /** How the technician says they reached the user first. */
    contact: contactSchema.optional(),
    /** Unattended: the maintenance task and its targets. */
    maintenance: maintenanceSchema.optional(),
    issuedAt: isoTimestamp,
    expiresAt: isoTimestamp,
  }),
  /** The relay refused a technician frame before it reached an agent (group permission, offline, bad approval). */
  rejected: z.strictObject({ action: lineText(40), code: errorCode, detail: lineText(300).optional() }),
  /** The technician withdrew a pending request. */
  cancel: z.strictObject({}),
  decision: z.strictObject({
    outcome: z.enum(OUTCOMES),
    granted: scopeList,
    declined: scopeList,
    decidedBy: z.enum(DECIDED_BY),
    decidedAt: isoTimestamp,
    code: errorCode.optional(),
    detail: lineText(300).optional(),
    grantedMinutes: minutes.optional(),
    /** Requests backed by a manager approval: a present user decided, or why the approval applied. */
    approvalPath: z.enum(APPROVAL_PATHS).optional(),
    agentAudit: auditAnchor.optional(),
    deviceSig: deviceSigned,
    late: lateFlag,
  }),
  'session-started': z.strictObject({
    scopes: scopeSet,
    mode: z.enum(['attended', 'unattended']),
    startedAt: isoTimestamp,
    endsAt: isoTimestamp,
    agentAudit: auditAnchor.optional(),
    deviceSig: deviceSigned,
    late: lateFlag,
  }),
  narration: z.strictObject({ text: multilineText(1000) }),
  /** After the session, the user's answer to "Is your problem solved?" (issue 20): one per session. */
  resolution: z.strictObject({
    solved: z.boolean(),
    rating: resolutionRating.optional(),
    comment: multilineText(500).optional(),
    at: isoTimestamp,
    agentAudit: auditAnchor.optional(),
    deviceSig: deviceSigned,
    late: lateFlag,
  }),
  /** The user's own message from the banner (issue 20), as the agent recorded and sent it. */
  'user-message': z.strictObject({
    text: multilineText(1000),
    at: isoTimestamp,
    quick: z.literal('question').optional(),
    agentAudit: auditAnchor.optional(),
    deviceSig: deviceSigned,
    late: lateFlag,
  }),
  /** A technician's note of an executed command or changed configuration (`session.note`, seed 003). */
  note: z.strictObject({ text: multilineText(1000) }),
  'scope-request': z.strictObject({ scopes: scopeList, extendMinutes: minutes.optional(), reason: multilineText(500), expiresAt: isoTimestamp }),
  'scope-update': z.strictObject({
    change: z.enum(SCOPE_CHANGES),
    scopes: scopeList,
    granted: scopeList,
    endsAt: isoTimestamp,
    /** The scope request the update answers, as the agent named it (none for a revocation). */
    answers: identifier.optional(),
    agentAudit: auditAnchor.optional(),
    deviceSig: deviceSigned,
    late: lateFlag,
  }),
  'file-transfer': z.strictObject({
    transferId: identifier,
    name: lineText(255),
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    direction: z.enum(FILE_DIRECTIONS),
  }),
  /** The agent's file-rule outcome for an announced transfer. */
  'file-transfer-result': z.strictObject({ transferId: identifier, allowed: z.boolean(), code: errorCode.optional(), detail: lineText(300).optional(), agentAudit: auditAnchor.optional(), late: lateFlag }),
  /** `relay-shutdown`: the relay stopped with the session live (both sides heard `relay-lost`). */
  'session-end': z.strictObject({ by: z.enum([...END_REASONS, 'relay-shutdown']), reason: lineText(300).optional(), agentAudit: auditAnchor.optional(), late: lateFlag }),
  'session-summary': z.strictObject({
    summary: sessionSummaryBodySchema,
    agentAudit: auditAnchor.optional(),
    deviceSig: deviceSigned,
    late: lateFlag,
  }),
  /** The relay dropped a peer to protect itself: it stopped reading and its unsent frames passed the cap. */
  disconnect: z.strictObject({
    reason: z.enum(['slow-consumer']),
    role: z.enum(['agent', 'technician']),
    closeCode: z.number().int().min(CLOSE_CODE_RANGE.min).max(CLOSE_CODE_RANGE.max),
    bufferedBytes: z.number().int().min(0),
    limitBytes: z.number().int().min(0),
  }),
  /**
   * The relay refused a device's hello (its enrolled key proved it) because its clock is off by more than the
   * allowance; written at most once per device per hour however often it retries. `offsetMs`: device minus relay.
   */
  'agent-refused': z.strictObject({
    reason: z.enum(['clock-skew']),
    offsetMs: z.number().int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER),
    limitMs: z.number().int().min(0),
  }),
  /** An admin allowed a device's key to be replaced (`relay enroll-device --rekey`). */
  'device-rekey-authorized': z.strictObject({ keyFingerprint: lineText(64), expiresAt: isoTimestamp, by: lineText(100) }),
  /** A device signed in with a new key under a re-key token; the old key's connection was dropped. */
  'device-rekeyed': z.strictObject({ from: lineText(64), to: lineText(64), droppedConnection: z.boolean() }),
  /** A screen channel of the session opened (the agent connected its local VNC server). */
  'channel-open': z.strictObject({ channel: z.number().int().min(1), kind: z.enum(CHANNEL_KINDS), transferId: identifier.optional() }),
  /** A screen channel closed: by whom, and why (a violation carries its code). */
  'channel-close': z.strictObject({
    channel: z.number().int().min(1),
    by: z.enum(['agent', 'technician', 'relay']),
    code: errorCode.optional(),
    detail: lineText(300).optional(),
  }),
  /** A technician signed in (the token and any one-time code are never recorded). */
  'technician-sign-in': z.strictObject({ mfa: z.boolean(), address: lineText(64).optional(), client: lineText(60).optional() }),
  /** A sign-in was refused, and why; `locked-out` is recorded once per lockout, not per refused try. */
  'technician-sign-in-failed': z.strictObject({
    reason: z.enum(SIGN_IN_FAILURES),
    address: lineText(64).optional(),
    detail: lineText(300).optional(),
    retryInSec: z.number().int().min(0).optional(),
  }),
  'technician-sign-out': z.strictObject({ address: lineText(64).optional() }),
  /** An admin command changed who may do what (`relay technicians ...`, add-technician, enroll-device). */
  admin: z.strictObject({
    action: z.enum(ADMIN_ACTIONS),
    /** The OS user who ran the command, and the person named with --as where a service account runs it. */
    by: lineText(100),
    as: lineText(100).optional(),
    target: lineText(100),
    before: technicianView.optional(),
    after: technicianView.optional(),
    detail: lineText(300).optional(),
  }),
  /** Issue 20: the relay signed and forwarded a technician's proposed window (`tech.schedule`). */
  'schedule-request': z.strictObject({
    technician,
    ticket,
    scopes: scopeSet,
    reason: multilineText(500),
    startsAt: isoTimestamp,
    endsAt: isoTimestamp,
    issuedAt: isoTimestamp,
    expiresAt: isoTimestamp,
  }),
  /** The user's answer to a proposed window; an agreed one keeps the device-signed record and the key it verified under. */
  'schedule-decision': z.strictObject({
    outcome: z.enum(SCHEDULE_OUTCOMES),
    decidedBy: z.enum(DECIDED_BY),
    decidedAt: isoTimestamp,
    code: errorCode.optional(),
    detail: lineText(300).optional(),
    agreed: signedAgreedWindowSchema.extend({ devicePublicKey: publicKey }).optional(),
    agentAudit: auditAnchor.optional(),
  }),
  /** The user cancelled an agreed window (device-signed). */
  'window-revoked': z.strictObject({
    windowId: identifier,
    revokedAt: isoTimestamp,
    sig: signature,
    devicePublicKey: publicKey,
    agentAudit: auditAnchor.optional(),
  }),
  /** The technician closed the ticket's session with an outcome (`tech.close`). */
  close: z.strictObject({ outcome: z.enum(CLOSE_OUTCOMES), note: multilineText(1000).optional(), documentation: closeDocumentationSchema.optional() }),
} as const;

export type AuditKind = keyof typeof AUDIT_DATA_SCHEMAS;
export const AUDIT_KINDS = Object.keys(AUDIT_DATA_SCHEMAS) as readonly AuditKind[];
export type AuditData<K extends AuditKind = AuditKind> = K extends AuditKind ? z.infer<(typeof AUDIT_DATA_SCHEMAS)[K]> : never;

/** What a caller appends: the storage assigns seq, prevHash and hash. */
export type AuditEntry<K extends AuditKind = AuditKind> = K extends AuditKind
  ? {
      kind: K;
      /** Relay clock, ISO 8601 UTC. */
      at: string;
      ticketId: string | null;
      deviceId: string | null;
      technicianId: string | null;
      requestId: string | null;
      sessionId: string | null;
      data: AuditData<K>;
    }
  : never;

export type AuditRecord<K extends AuditKind = AuditKind> = AuditEntry<K> & { seq: number; prevHash: string; hash: string };

export const GENESIS_HASH = '0'.repeat(64);

const nullable = <T extends z.ZodType>(s: T) => s.nullable();

/** Validates a stored or exported record (evidence verify reads records back through this). */
export const auditRecordSchema = z
  .strictObject({
    seq: z.number().int().min(1),
    at: isoTimestamp,
    kind: z.enum(AUDIT_KINDS as [AuditKind, ...AuditKind[]]),
    ticketId: nullable(ticketId),
    deviceId: nullable(identifier),
    technicianId: nullable(slug),
    requestId: nullable(identifier),
    sessionId: nullable(identifier),
    data: z.unknown(),
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .superRefine((r, ctx) => {
    const parsed = AUDIT_DATA_SCHEMAS[r.kind].safeParse(r.data);
    if (!parsed.success) ctx.addIssue({ code: 'custom', path: ['data'], message: `does not match ${r.kind}` });
  });

/**
 * The hash of a record, in two levels so an evidence bundle can carry another
 * ticket's record as {seq, prevHash, ticketTag, bodyHash, hash}: the link is
 * provable without disclosing the record.
 *   bodyHash  = sha256(canonical JSON of every field but seq, prevHash, hash)
 *   ticketTag = sha256("porchlight/v1/audit-ticket\n" + ticketId), or null
 *   hash      = sha256(canonical {seq, prevHash, ticketTag, bodyHash})
 * The tag lets a verifier see that no record of its ticket was left out of a
 * bundle's range; the price is that a guessed ticket id can be confirmed.
 */
export function auditBodyHash(record: Omit<AuditRecord, 'hash' | 'seq' | 'prevHash'>): string {
  const { at, kind, ticketId: t, deviceId, technicianId, requestId, sessionId, data } = record;
  return sha256Hex(canonicalize({ at, kind, ticketId: t, deviceId, technicianId, requestId, sessionId, data }));
}

export function auditTicketTag(ticketId: string | null): string | null {
  return ticketId === null ? null : sha256Hex(`porchlight/v1/audit-ticket\n${ticketId}`);
}

/** The chain link: binds a record's position, predecessor and ticket to its (possibly undisclosed) body. */
export function auditLinkHash(seq: number, prevHash: string, ticketTag: string | null, bodyHash: string): string {
  return sha256Hex(canonicalize({ seq, prevHash, ticketTag, bodyHash }));
}

export function auditRecordHash(record: Omit<AuditRecord, 'hash'>): string {
  return auditLinkHash(record.seq, record.prevHash, auditTicketTag(record.ticketId), auditBodyHash(record));
}

/** Seal an entry onto the chain after `prev` (null for the first record). */
export function chainRecord(entry: AuditEntry, prev: { seq: number; hash: string } | null): AuditRecord {
  const base = { ...entry, seq: (prev?.seq ?? 0) + 1, prevHash: prev?.hash ?? GENESIS_HASH } as Omit<AuditRecord, 'hash'>;
  return { ...base, hash: auditRecordHash(base) } as AuditRecord;
}

export type ChainCheck = { ok: true } | { ok: false; seq: number; problem: 'hash-mismatch' | 'broken-link' | 'bad-shape' };

/**
 * Check a contiguous run of records. The first record's prevHash is trusted as
 * the anchor (older records may have been removed by retention).
 */
export function verifyAuditChain(records: readonly AuditRecord[]): ChainCheck {
  let prev: AuditRecord | undefined;
  for (const record of records) {
    if (!auditRecordSchema.safeParse(record).success) return { ok: false, seq: record.seq, problem: 'bad-shape' };
    if (auditRecordHash(record) !== record.hash) return { ok: false, seq: record.seq, problem: 'hash-mismatch' };
    if (prev && (record.prevHash !== prev.hash || record.seq !== prev.seq + 1)) return { ok: false, seq: record.seq, problem: 'broken-link' };
    prev = record;
  }
  return { ok: true };
}
