// Wire protocol v1: every message is `{v: 1, type, id, ...}` in one JSON text
// frame. Objects are strict: unknown keys are an error, not ignored.
// Browser-safe (no Node imports): the technician console bundles it.
// Agent -> relay messages that follow a durable audit record carry `audit`
// (that record's seq and hash) as an anchor the relay keeps.
import { z } from 'zod';
import { approvalSchema } from './approval.js';
import { ERROR_CODES, type ErrorCode } from './error-codes.js';
import {
  auditAnchor,
  base64url,
  identifier,
  isoTimestamp,
  keyFingerprintText,
  lineText,
  minutes,
  mode,
  multilineText,
  nonce,
  publicKey,
  scopeList,
  scopeSet,
  signature,
  technician,
  ticket,
  ticketId,
  verificationCode,
} from './primitives.js';

const header = <T extends string>(type: T) => ({ v: z.literal(1), type: z.literal(type), id: identifier });

// ---- connection ------------------------------------------------------------

/** WebSocket subprotocol agents connect with: the relay answers it with a `challenge` first. */
export const AGENT_SUBPROTOCOL = 'porchlight.agent.v1';

export const CHANNEL_BINDINGS = ['tls-exporter', 'none'] as const;
export type ChannelBinding = (typeof CHANNEL_BINDINGS)[number];

/**
 * Relay -> agent, first frame on a connection opened with the agent
 * subprotocol: a fresh random challenge the hello proof must sign, so a
 * recorded hello is worthless on any other connection.
 */
export const challengeSchema = z.strictObject({
  ...header('challenge'),
  challenge: base64url(43, 43),
  relayKeyFingerprint: keyFingerprintText,
  /** `tls-exporter`: the relay's socket is TLS and the proof must cover its exported keying material. */
  channelBinding: z.enum(CHANNEL_BINDINGS),
  serverTime: isoTimestamp,
});

/**
 * Agent -> relay: proves possession of the device key on this connection. The
 * proof signs {deviceId, devicePublicKey, nonce, issuedAt, challenge,
 * relayKeyFingerprint, channelBinding, tlsExporter} (see hello-proof.ts).
 */
export const agentHelloSchema = z.strictObject({
  ...header('hello'),
  role: z.literal('agent'),
  deviceId: identifier,
  devicePublicKey: publicKey,
  agentVersion: lineText(40),
  issuedAt: isoTimestamp,
  nonce,
  /** The challenge of this connection, echoed. */
  challenge: base64url(43, 43),
  proof: signature,
  /** One-time token from `porchlight relay enroll-device`, on first connect only. */
  enrollmentToken: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/).optional(),
});

/** Technician (CLI or console) -> relay: bearer API token from `relay add-technician`. */
export const technicianHelloSchema = z.strictObject({
  ...header('hello'),
  role: z.literal('technician'),
  token: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  client: lineText(60).optional(),
});

export const helloSchema = z.union([agentHelloSchema, technicianHelloSchema]);

export const welcomeSchema = z.strictObject({
  ...header('welcome'),
  role: z.enum(['agent', 'technician']),
  serverTime: isoTimestamp,
  heartbeatSec: z.number().int().min(1).max(300),
  deviceId: identifier.optional(),
  technician: technician.optional(),
  relayKeyFingerprint: keyFingerprintText.optional(),
});

/**
 * The device's signature over an agent message (device-signatures.ts): bound
 * to the request it answers and that request's nonce.
 */
export const deviceSignatureSchema = z.strictObject({ requestId: identifier, nonce, sig: signature });
export type DeviceSignature = z.infer<typeof deviceSignatureSchema>;

/** Technician -> relay: which key is this device enrolled with? */
export const techDeviceKeySchema = z.strictObject({
  ...header('tech.device-key'),
  deviceId: identifier,
});

/** One audited re-key, as the relay's central audit holds it. */
export const rekeyRecordSchema = z.strictObject({ at: isoTimestamp, from: keyFingerprintText, to: keyFingerprintText });

/** Relay -> technician: the enrolled device key and its audited re-keys (newest last). */
export const deviceKeySchema = z.strictObject({
  ...header('device.key'),
  deviceId: identifier,
  publicKey,
  fingerprint: keyFingerprintText,
  enrolledAt: isoTimestamp,
  rekeys: z.array(rekeyRecordSchema).max(20),
});

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
});

/** Relay -> technician: the request went out; read the code to the user. */
export const sessionPendingSchema = z.strictObject({
  ...header('session.pending'),
  requestId: identifier,
  deviceId: identifier,
  verificationCode,
  expiresAt: isoTimestamp,
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
  'user', // the user clicked
  'dialog-closed', // the user closed the dialog: decline
  'timeout', // nobody answered in time: decline
  'policy', // local policy blocked before the user saw anything
  'verification', // signature, replay, expiry or approval check failed
  'rate-limit', // too many prompts from this technician
  'queue-full', // consent queue overflow
  'relay-lost', // the relay went away while prompting
  'agent-restart', // the agent restarted while prompting
  'cancelled', // the technician withdrew the request
  'approval', // unattended with a valid approval token
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
  audit: auditAnchor.optional(),
  deviceSig: deviceSignatureSchema.optional(),
});

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

// ---- data channel (screen) ---------------------------------------------------------

export const CHANNEL_KINDS = ['screen', 'file'] as const;

/**
 * Technician -> relay -> agent: open the session's screen channel (a new
 * `channel` number per viewer connection). The technician names no endpoint:
 * the agent connects only to the VNC server its policy names.
 */
export const channelOpenSchema = z
  .strictObject({
    ...header('channel.open'),
    sessionId: identifier,
    channel: z.number().int().min(1).max(0xffffffff),
    kind: z.enum(CHANNEL_KINDS),
    /** kind `file`: the announced (and allowed) transfer whose bytes follow. */
    transferId: identifier.optional(),
  })
  .refine((m) => (m.kind === 'file') === (m.transferId !== undefined), { message: 'transferId goes with kind file, and only with it' });

/** Agent -> relay -> technician: the channel is open; binary frames may flow both ways. */
export const channelOpenedSchema = z.strictObject({
  ...header('channel.opened'),
  sessionId: identifier,
  channel: z.number().int().min(1).max(0xffffffff),
});

/** Any direction: the channel is closed (or refused); no more frames for it. */
export const channelCloseSchema = z.strictObject({
  ...header('channel.close'),
  sessionId: identifier,
  channel: z.number().int().min(1).max(0xffffffff),
  code: z.enum(ERROR_CODES as [ErrorCode, ...ErrorCode[]]).optional(),
  detail: lineText(300).optional(),
});

export const END_REASONS = ['user', 'technician', 'expiry', 'relay-lost', 'agent-exit', 'policy'] as const;

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

// ---- closing the ticket's session (IT evidence) ---------------------------------

export const CLOSE_OUTCOMES = ['resolved', 'follow-up', 'escalated'] as const;

/** Technician -> relay: record how the support session ended for the ticket. */
export const techCloseSchema = z.strictObject({
  ...header('tech.close'),
  ticketId,
  sessionId: identifier.optional(),
  outcome: z.enum(CLOSE_OUTCOMES),
  note: multilineText(1000).optional(),
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

// ---- registry ----------------------------------------------------------------------

export const MESSAGE_SCHEMAS = {
  challenge: challengeSchema,
  hello: helloSchema,
  welcome: welcomeSchema,
  'tech.device-key': techDeviceKeySchema,
  'device.key': deviceKeySchema,
  'tech.request': techRequestSchema,
  'session.pending': sessionPendingSchema,
  'session.request': sessionRequestSchema,
  'session.cancel': sessionCancelSchema,
  'session.decision': sessionDecisionSchema,
  'session.started': sessionStartedSchema,
  'session.narration': sessionNarrationSchema,
  'tech.scope-request': techScopeRequestSchema,
  'session.scope-request': sessionScopeRequestSchema,
  'session.scope-update': sessionScopeUpdateSchema,
  'session.file-transfer': sessionFileTransferSchema,
  'session.file-transfer-result': sessionFileTransferResultSchema,
  'session.end': sessionEndSchema,
  'session.summary': sessionSummarySchema,
  'channel.open': channelOpenSchema,
  'channel.opened': channelOpenedSchema,
  'channel.close': channelCloseSchema,
  'tech.close': techCloseSchema,
  'tech.closed': techClosedSchema,
  error: errorSchema,
} as const;

export type MessageType = keyof typeof MESSAGE_SCHEMAS;
export const MESSAGE_TYPES = Object.keys(MESSAGE_SCHEMAS) as readonly MessageType[];

/** The message of a given type, e.g. `Message<'session.request'>`. */
export type Message<T extends MessageType = MessageType> = T extends MessageType ? z.infer<(typeof MESSAGE_SCHEMAS)[T]> : never;
export type AgentHello = z.infer<typeof agentHelloSchema>;
export type Technician = z.infer<typeof technician>;
export type Ticket = z.infer<typeof ticket>;

/** What each peer may send (the receiver answers anything else with `unexpected-type`). */
export const ACCEPTED_BY = {
  /** Frames the relay accepts from an agent. */
  relayFromAgent: ['hello', 'session.decision', 'session.started', 'session.scope-update', 'session.file-transfer-result', 'session.end', 'session.summary', 'channel.opened', 'channel.close', 'error'],
  /** Frames the relay accepts from a technician. */
  relayFromTechnician: ['hello', 'tech.device-key', 'tech.request', 'session.cancel', 'session.narration', 'tech.scope-request', 'session.file-transfer', 'session.end', 'channel.open', 'channel.close', 'tech.close', 'error'],
  /** Frames the agent accepts from the relay. */
  agentFromRelay: ['challenge', 'welcome', 'session.request', 'session.cancel', 'session.narration', 'session.scope-request', 'session.file-transfer', 'session.end', 'channel.open', 'channel.close', 'error'],
  /** Frames a technician accepts from the relay. */
  technicianFromRelay: ['welcome', 'device.key', 'session.pending', 'session.decision', 'session.started', 'session.scope-update', 'session.file-transfer-result', 'session.end', 'session.summary', 'channel.opened', 'channel.close', 'tech.closed', 'error'],
} as const satisfies Record<string, readonly MessageType[]>;
