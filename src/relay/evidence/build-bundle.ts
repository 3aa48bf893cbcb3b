// Building the evidence bundle of one ticket from the relay's storage: the
// ticket's records in full, the chain links from its first record to a
// checkpoint the relay key signed (a fresh one when none covers the ticket's
// last record yet), and session and file-transfer views derived from them.
import type { AuditRecord as AgentRecord } from '../../protocol/agent-audit-record.js';
import { keyFingerprint, type Ed25519KeyPair } from '../../protocol/signing.js';
import { auditBodyHash, auditRecordHash, auditTicketTag, type AuditRecord } from '../audit/audit-record.js';
import { signAuditCheckpoint, verifyAuditCheckpoint } from '../audit/checkpoint.js';
import { projectSessions, type SessionView } from '../audit/session-projection.js';
import type { AuditCheckpoint, RelayStorage } from '../storage/storage.js';
import { EVIDENCE_FORMAT, EVIDENCE_VERSION, type ChainLink, type DeviceEvidence, type EvidenceBundle, type FileTransferEvidence } from './bundle-schema.js';
import { EvidenceError } from './evidence-error.js';
import { documentationStatusOf } from './documentation-status.js';

export interface AgentEvidence {
  chain: { files: number; records: number; lastSeq: number; lastHash: string };
  records: AgentRecord[];
  deviceIds?: string[];
}

export interface BuildOptions {
  storage: RelayStorage;
  relayKey: Ed25519KeyPair;
  ticketId: string;
  nowMs: number;
  generator: string;
  agent?: AgentEvidence;
}

export const EXPLANATION = [
  'relay.records are every central audit record of this ticket, in full.',
  'relay.chain holds one link per record from the first of them to relay.checkpoint; records of other tickets appear only as links (seq, prevHash, ticketTag, bodyHash, hash), so the chain is provable without disclosing them.',
  'Each record hashes to its link (bodyHash over its content; hash over seq, prevHash, ticketTag, bodyHash); each link names the previous link hash; the last link equals the checkpoint hash, which the relay key signed.',
  'A link carrying this ticket\'s tag but no record means a record was withheld; a missing seq means a link was removed.',
  'sessions and fileTransfers are derived from relay.records; verify recomputes them.',
  'documentation says whether the ticket\'s emergency sessions were documented (a close with what, why and result after each): emergency-without-documentation until then; derived from relay.records, verify recomputes it.',
  'agent (when present) holds the agent\'s own records of the ticket: their hashes and order are checked, and decisions and file hashes must agree with the relay\'s; the agent log is not signed, so they corroborate rather than prove.',
  'devices holds the key each device named by the records enrolled with, and its audited re-keys. Every decision, session start, scope update and summary the device sent carries data.deviceSig, its Ed25519 signature over the frame (rebuilt from the record); verify checks each one offline against that key.',
  'The devices section is the relay\'s statement, not covered by the checkpoint: compare a key fingerprint with the device itself (or the technician\'s known devices) to tie the signatures to the machine.',
  'Relay records carry data.agentAudit, the seq and hash of the agent\'s record of the same event: each must be in agent.records with that hash, so an agent log cut short at its end (truncated) or rewritten (anchor-mismatch) shows.',
];

/** The oldest checkpoint at or after `seq` that the current relay key signed; signs the head when there is none. */
async function anchor(storage: RelayStorage, relayKey: Ed25519KeyPair, seq: number, nowMs: number): Promise<AuditCheckpoint> {
  const existing = await storage.firstCheckpointFrom(seq);
  if (existing && verifyAuditCheckpoint(existing, relayKey.publicKey)) return existing;
  const head = await storage.auditHead();
  if (!head) throw new EvidenceError('no-records', 'the central audit is empty');
  const fresh = signAuditCheckpoint(head, new Date(nowMs).toISOString(), relayKey);
  await storage.addCheckpoint(fresh);
  return fresh;
}

/** The range must be whole, unaltered and end at the checkpoint (queryAudit already checked each record's shape). */
function checkRange(range: readonly AuditRecord[], firstSeq: number, checkpoint: AuditCheckpoint): void {
  const broken = (seq: number, why: string) => new EvidenceError('relay-chain-broken', `the relay's central audit does not verify at seq ${seq} (${why}); no bundle was written`);
  let prev: AuditRecord | undefined;
  for (const [i, r] of range.entries()) {
    if (r.seq !== firstSeq + i) throw broken(r.seq, 'gap');
    if (auditRecordHash(r) !== r.hash) throw broken(r.seq, 'hash-mismatch');
    if (prev && r.prevHash !== prev.hash) throw broken(r.seq, 'broken-link');
    prev = r;
  }
  if (prev?.seq !== checkpoint.seq || prev.hash !== checkpoint.hash) throw broken(checkpoint.seq, 'does not match the signed checkpoint');
}

export function chainLink(r: AuditRecord): ChainLink {
  return { seq: r.seq, prevHash: r.prevHash, ticketTag: auditTicketTag(r.ticketId), bodyHash: auditBodyHash(r), hash: r.hash };
}

export function fileTransfersOf(sessions: readonly SessionView[]): FileTransferEvidence[] {
  return sessions.flatMap((s) => s.files.map((f) => ({ requestId: s.requestId, sessionId: s.sessionId, transferId: f.transferId, name: f.name, size: f.size, sha256: f.sha256, direction: f.direction, at: f.at, allowed: f.allowed, code: f.code })));
}

/** The enrolled key and audited re-keys of every device the records name. */
async function devicesOf(storage: RelayStorage, records: readonly AuditRecord[]): Promise<DeviceEvidence[]> {
  const ids = [...new Set(records.flatMap((r) => (r.deviceId === null ? [] : [r.deviceId])))].sort();
  const devices: DeviceEvidence[] = [];
  for (const deviceId of ids) {
    const d = await storage.getDevice(deviceId);
    if (!d) continue;
    const rekeys = (await storage.queryAudit({ deviceId, kinds: ['device-rekeyed'] })).flatMap((r) =>
      r.kind === 'device-rekeyed' ? [{ at: r.at, from: r.data.from, to: r.data.to }] : [],
    );
    devices.push({ deviceId, publicKey: d.publicKey, fingerprint: keyFingerprint(d.publicKey), enrolledAt: d.enrolledAt, rekeys });
  }
  return devices;
}

export async function buildEvidenceBundle(o: BuildOptions): Promise<EvidenceBundle> {
  const records = await o.storage.queryAudit({ ticketId: o.ticketId });
  const first = records[0];
  const last = records.at(-1);
  if (!first || !last) throw new EvidenceError('no-records', `no central audit records for ticket ${o.ticketId}`);
  const checkpoint = await anchor(o.storage, o.relayKey, last.seq, o.nowMs);
  const range = await o.storage.queryAudit({ fromSeq: first.seq, toSeq: checkpoint.seq });
  checkRange(range, first.seq, checkpoint);
  const sessions = projectSessions(records);
  return {
    format: EVIDENCE_FORMAT,
    version: EVIDENCE_VERSION,
    ticketId: o.ticketId,
    generatedAt: new Date(o.nowMs).toISOString(),
    generator: o.generator,
    relay: {
      publicKey: o.relayKey.publicKey,
      fingerprint: keyFingerprint(o.relayKey.publicKey),
      records,
      chain: range.map(chainLink),
      checkpoint,
    },
    devices: await devicesOf(o.storage, records),
    sessions,
    fileTransfers: fileTransfersOf(sessions),
    documentation: documentationStatusOf(records),
    ...(o.agent ? { agent: o.agent } : {}),
    explanation: EXPLANATION,
  };
}
