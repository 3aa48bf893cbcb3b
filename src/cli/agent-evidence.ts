// The agent section of an evidence bundle, read from an agent audit dir whose
// chain verified: the ticket's records, the verified extent of the chain, and
// the devices the log names (for checking the relay's anchors against it).
import { deviceIdsOf } from '../protocol/audit-anchors.js';
import { readAuditEntries } from '../core/audit/export.js';
import type { AuditVerifyResult } from '../core/audit/verify.js';
import type { AgentEvidence } from '../relay/evidence/build-bundle.js';

export function agentEvidence(dir: string, ticketId: string, check: AuditVerifyResult): AgentEvidence {
  const records = readAuditEntries(dir)
    .map((e) => e.record)
    .filter((r) => r.seq <= check.lastSeq);
  const deviceIds = deviceIdsOf(records);
  return {
    chain: { files: check.files, records: check.records, lastSeq: check.lastSeq, lastHash: check.lastHash },
    records: records.filter((r) => r.ticketId === ticketId),
    ...(deviceIds.length > 0 ? { deviceIds } : {}),
  };
}
