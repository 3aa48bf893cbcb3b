// The evidence bundle for one ticket (issue 9): a single JSON document that
// an auditor can check offline. Version 1. Records are kept as `unknown` at
// this level so a single bad record is named by seq instead of failing the
// whole parse; verify-bundle.ts checks each one.
import { z } from 'zod';
import { identifier, isoTimestamp, lineText, publicKey, signature, ticketId } from '../../protocol/primitives.js';
import { documentationStatusSchema } from './documentation-status.js';

export const EVIDENCE_FORMAT = 'porchlight-evidence';
export const EVIDENCE_VERSION = 1;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'is not a lowercase hex sha256');
const seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** One link of the relay's chain: enough to prove the chain through a record without disclosing it. */
export const chainLinkSchema = z.strictObject({
  seq,
  prevHash: hex64,
  ticketTag: hex64.nullable(),
  bodyHash: hex64,
  hash: hex64,
});
export type ChainLink = z.infer<typeof chainLinkSchema>;

export const checkpointSchema = z.strictObject({ seq, hash: hex64, at: isoTimestamp, relayPublicKey: publicKey, sig: signature });

export const fileTransferEvidenceSchema = z.strictObject({
  requestId: z.string(),
  sessionId: z.string().nullable(),
  transferId: z.string(),
  name: z.string(),
  size: z.number().int().min(0),
  sha256: hex64,
  direction: z.enum(['to-device', 'from-device']),
  at: isoTimestamp,
  /** The agent's file-rule outcome: allowed, refused, or null when no result came back. */
  allowed: z.boolean().nullable(),
  code: z.string().nullable(),
});
export type FileTransferEvidence = z.infer<typeof fileTransferEvidenceSchema>;

const fingerprint = z.string().regex(/^[A-Z2-7]{4}(-[A-Z2-7]{4}){4}$/);

/**
 * A device the ticket's records name, as the relay enrolled it: its current key and the audited re-keys that led
 * there. Device signatures in the records must be made with one of these keys (device-signed-records.ts).
 */
export const deviceEvidenceSchema = z.strictObject({
  deviceId: identifier,
  publicKey,
  fingerprint,
  enrolledAt: isoTimestamp,
  rekeys: z.array(z.strictObject({ at: isoTimestamp, from: fingerprint, to: fingerprint })).max(1000),
});
export type DeviceEvidence = z.infer<typeof deviceEvidenceSchema>;

export const agentSectionSchema = z.strictObject({
  /** The agent chain as verified when the bundle was built (the agent log is not signed). */
  chain: z.strictObject({ files: z.number().int().min(0), records: z.number().int().min(0), lastSeq: z.number().int().min(0), lastHash: hex64 }),
  records: z.array(z.unknown()).max(100_000),
  /** The devices the agent log names (agent.started): the relay's anchors of these devices must be in it. */
  deviceIds: z.array(identifier).max(100).optional(),
});

export const evidenceBundleSchema = z.strictObject({
  format: z.literal(EVIDENCE_FORMAT),
  version: z.literal(EVIDENCE_VERSION),
  ticketId,
  generatedAt: isoTimestamp,
  generator: lineText(100),
  relay: z.strictObject({
    publicKey,
    fingerprint,
    /** Every central audit record about the ticket, in full. */
    records: z.array(z.unknown()).max(100_000),
    /** Every link from the first record above to the checkpoint, other tickets' records included as links only. */
    chain: z.array(chainLinkSchema).max(5_000_000),
    checkpoint: checkpointSchema,
  }),
  /** The enrolled keys of the devices the records name (absent in bundles made before device signatures). */
  devices: z.array(deviceEvidenceSchema).max(1000).optional(),
  /** Derived from the records (verify recomputes and compares). */
  sessions: z.array(z.unknown()).max(100_000),
  fileTransfers: z.array(fileTransferEvidenceSchema).max(100_000),
  /** Derived: were the ticket's emergency sessions documented (absent in bundles made before it)? */
  documentation: documentationStatusSchema.optional(),
  agent: agentSectionSchema.optional(),
  /** What the verification section proves, for a person reading the file. */
  explanation: z.array(lineText(400)).max(20),
});
export type EvidenceBundle = z.infer<typeof evidenceBundleSchema>;
