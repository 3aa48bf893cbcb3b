// Offline verification of an evidence bundle: no relay, no network. Every
// problem is named by part and seq with a reason a person can act on;
// verification goes on past the first problem so an auditor sees them all.
import { anchorsOfRelayRecords, checkAgentAnchors } from '../../protocol/audit-anchors.js';
import { auditRecordSchema as agentRecordSchema, recordHash as agentRecordHash } from '../../protocol/agent-audit-record.js';
import { canonicalize } from '../../protocol/canonical-json.js';
import { describeIssues } from '../../protocol/frame.js';
import { keyFingerprint } from '../../protocol/signing.js';
import { auditBodyHash, auditLinkHash, auditRecordSchema, auditTicketTag, type AuditRecord } from '../audit/audit-record.js';
import { verifyAuditCheckpoint } from '../audit/checkpoint.js';
import { projectSessions } from '../audit/session-projection.js';
import { evidenceBundleSchema, type ChainLink } from './bundle-schema.js';
import { fileTransfersOf } from './build-bundle.js';
import { documentationStatusOf } from './documentation-status.js';
import { checkDeviceSignatures } from './device-signed-records.js';

export interface VerifyProblem {
  part: 'bundle' | 'relay' | 'agent';
  /** The record or link concerned, when there is one. */
  seq: number | null;
  reason: string;
}

export interface VerifyReport {
  ok: boolean;
  problems: VerifyProblem[];
  ticketId: string | null;
  records: number;
  links: number;
  agentRecords: number;
  checkpoint: { seq: number; at: string } | null;
  fingerprint: string | null;
}

const MAX_PROBLEMS = 200;

/** `pinnedKey`: a base64url public key or a fingerprint the auditor trusts. */
export function verifyEvidenceBundle(input: unknown, pinnedKey?: string): VerifyReport {
  const problems: VerifyProblem[] = [];
  const report = (): VerifyReport => ({ ...facts, ok: problems.length === 0, problems: problems.slice(0, MAX_PROBLEMS) });
  const facts = { ticketId: null as string | null, records: 0, links: 0, agentRecords: 0, checkpoint: null as VerifyReport['checkpoint'], fingerprint: null as string | null };
  const problem = (part: VerifyProblem['part'], seq: number | null, reason: string) => void problems.push({ part, seq, reason });

  const parsed = evidenceBundleSchema.safeParse(input);
  if (!parsed.success) {
    problem('bundle', null, `not a version 1 evidence bundle: ${describeIssues('bundle', parsed.error)}`);
    return report();
  }
  const b = parsed.data;
  const { relay } = b;
  facts.ticketId = b.ticketId;
  facts.links = relay.chain.length;
  facts.checkpoint = { seq: relay.checkpoint.seq, at: relay.checkpoint.at };
  facts.fingerprint = keyFingerprint(relay.publicKey);

  // 1. The key: as stated, as pinned, and the checkpoint signature under it.
  if (relay.fingerprint !== facts.fingerprint) problem('bundle', null, `the stated fingerprint ${relay.fingerprint} is not that of the stated public key (${facts.fingerprint})`);
  if (relay.checkpoint.relayPublicKey !== relay.publicKey) problem('relay', relay.checkpoint.seq, 'the checkpoint names a different relay key than the bundle');
  if (pinnedKey !== undefined && pinnedKey !== relay.publicKey && pinnedKey.toUpperCase() !== facts.fingerprint) {
    problem('relay', relay.checkpoint.seq, `the checkpoint is signed by relay key ${facts.fingerprint}, not by the pinned key`);
  }
  if (!verifyAuditCheckpoint(relay.checkpoint, relay.publicKey)) problem('relay', relay.checkpoint.seq, 'the checkpoint signature does not verify under the relay key');

  // 2. The chain of links, down to the signed checkpoint.
  const links = new Map<number, ChainLink>();
  let prev: ChainLink | undefined;
  for (const link of relay.chain) {
    if (links.has(link.seq)) problem('relay', link.seq, 'the chain lists this seq twice');
    links.set(link.seq, link);
    if (auditLinkHash(link.seq, link.prevHash, link.ticketTag, link.bodyHash) !== link.hash) problem('relay', link.seq, 'link hash does not match its seq, prevHash, ticketTag and bodyHash (edited)');
    if (prev) {
      if (link.seq > prev.seq + 1) problem('relay', link.seq, `links ${prev.seq + 1}..${link.seq - 1} are missing from the chain (removed)`);
      else if (link.seq <= prev.seq) problem('relay', link.seq, `seq ${link.seq} appears after seq ${prev.seq} (reordered)`);
      else if (link.prevHash !== prev.hash) problem('relay', link.seq, 'prevHash does not name the previous link (chain broken)');
    }
    prev = link;
  }
  if (!prev) problem('relay', null, 'the chain is empty');
  else if (prev.seq !== relay.checkpoint.seq || prev.hash !== relay.checkpoint.hash) problem('relay', prev.seq, `the chain does not end at the signed checkpoint (seq ${relay.checkpoint.seq})`);

  // 3. Each disclosed record against its link.
  const tag = auditTicketTag(b.ticketId);
  const good: AuditRecord[] = [];
  const seen = new Set<number>();
  for (const raw of relay.records) {
    const seq = seqOf(raw);
    const rec = auditRecordSchema.safeParse(raw);
    if (!rec.success) {
      problem('relay', seq, `not a valid central audit record: ${describeIssues('record', rec.error)}`);
      continue;
    }
    const r = rec.data as AuditRecord;
    if (seen.has(r.seq)) problem('relay', r.seq, 'the bundle lists this record twice');
    seen.add(r.seq);
    if (r.ticketId !== b.ticketId) problem('relay', r.seq, `record of ticket ${r.ticketId ?? '(none)'}, not ${b.ticketId}`);
    const link = links.get(r.seq);
    if (!link) {
      problem('relay', r.seq, 'record is not covered by the chain');
      continue;
    }
    if (auditBodyHash(r) !== link.bodyHash) problem('relay', r.seq, 'record content does not match its hash in the chain (edited)');
    else if (r.prevHash !== link.prevHash || r.hash !== link.hash || link.ticketTag !== tag) problem('relay', r.seq, 'record does not match its chain link (prevHash, hash or ticket)');
    else good.push(r);
  }
  facts.records = seen.size;
  for (const link of relay.chain) {
    if (link.ticketTag === tag && !seen.has(link.seq)) problem('relay', link.seq, `the chain holds a record of ${b.ticketId} here that the bundle does not include (removed)`);
  }

  // 4. Derived views must follow from the proven records.
  if (good.length === relay.records.length) {
    const sessions = projectSessions(good);
    if (canonicalize(sessions) !== canonicalize(b.sessions)) problem('bundle', null, 'the session summaries do not match the records');
    if (canonicalize(fileTransfersOf(sessions)) !== canonicalize(b.fileTransfers)) problem('bundle', null, 'the file-transfer list does not match the records');
    if (b.documentation !== undefined && canonicalize(documentationStatusOf(good)) !== canonicalize(b.documentation)) problem('bundle', null, 'the documentation status does not match the records');
  }

  // 5. The device's own signatures, offline, against the key it enrolled with.
  for (const d of b.devices ?? []) {
    if (keyFingerprint(d.publicKey) !== d.fingerprint) problem('bundle', null, `device ${d.deviceId}: the stated fingerprint ${d.fingerprint} is not that of its key`);
  }
  for (const p of checkDeviceSignatures(good, b.devices ?? [])) problem('relay', p.seq, p.reason);

  // 6. The agent's records: intact and in order (the agent log is not signed).
  if (b.agent) {
    let last = 0;
    const hashes = new Map<number, string>();
    for (const raw of b.agent.records) {
      const seq = seqOf(raw);
      const rec = agentRecordSchema.safeParse(raw);
      if (!rec.success) {
        problem('agent', seq, 'not a valid agent audit record');
        continue;
      }
      const r = rec.data;
      facts.agentRecords++;
      if (agentRecordHash(r) !== r.hash) problem('agent', r.seq, 'record content does not match its hash (edited)');
      if (r.seq <= last) problem('agent', r.seq, `seq ${r.seq} appears after seq ${last} (reordered)`);
      if (r.seq > b.agent.chain.lastSeq) problem('agent', r.seq, `seq ${r.seq} is past the verified end of the agent log (${b.agent.chain.lastSeq})`);
      if (r.ticketId !== b.ticketId) problem('agent', r.seq, `record is not about ticket ${b.ticketId}`);
      last = Math.max(last, r.seq);
      if (r.seq <= b.agent.chain.lastSeq) hashes.set(r.seq, r.hash);
      crossCheck(r, good, problem);
    }
    // 7. Every anchor the relay holds must be there: a hash chain can't prove its own tail.
    // Each anchor is the agent's record of an event of this ticket, so it must be among the bundled
    // records with its seq and hash. Nothing from the (unsigned) agent section may narrow which
    // anchors apply: not deviceIds, not the chain's extent.
    const anchors = checkAgentAnchors(anchorsOfRelayRecords(good), { hashes, firstSeq: 1, lastSeq: b.agent.chain.lastSeq }, { deviceId: null, prunableBefore: Number.NEGATIVE_INFINITY });
    for (const a of anchors.problems) problem('agent', a.seq, `${a.kind}: ${a.reason}`);
  }
  return report();
}

/** Where both sides recorded the same decision or file, they must agree (chain of custody for file hashes). */
function crossCheck(r: { seq: number; type: string } & Record<string, unknown>, relay: readonly AuditRecord[], problem: (part: 'agent', seq: number, reason: string) => void): void {
  if (r.type === 'consent.decision' && typeof r.requestId === 'string') {
    const d = relay.find((x): x is AuditRecord<'decision'> => x.kind === 'decision' && x.requestId === r.requestId);
    if (d && d.data.outcome !== r.outcome) problem('agent', r.seq, `the agent recorded ${String(r.outcome)} for request ${r.requestId}; the relay recorded ${d.data.outcome}`);
  }
  if (r.type === 'file.transfer' && typeof r.transferId === 'string') {
    const f = relay.find((x): x is AuditRecord<'file-transfer'> => x.kind === 'file-transfer' && x.sessionId === r.sessionId && x.data.transferId === r.transferId);
    if (f && f.data.sha256 !== r.sha256) problem('agent', r.seq, `file ${r.transferId}: the agent recorded sha256 ${String(r.sha256)}; the relay recorded ${f.data.sha256}`);
    const result = relay.find((x): x is AuditRecord<'file-transfer-result'> => x.kind === 'file-transfer-result' && x.sessionId === r.sessionId && x.data.transferId === r.transferId);
    if (result && typeof r.allowed === 'boolean' && result.data.allowed !== r.allowed) problem('agent', r.seq, `file ${r.transferId}: the agent recorded ${r.allowed ? 'allowed' : 'refused'}; the relay recorded the opposite`);
  }
}

function seqOf(raw: unknown): number | null {
  const seq = (raw as { seq?: unknown } | null)?.seq;
  return typeof seq === 'number' && Number.isInteger(seq) ? seq : null;
}

export function describeProblem(p: VerifyProblem): string {
  return `${p.part}${p.seq !== null ? ` seq ${p.seq}` : ''}: ${p.reason}`;
}
