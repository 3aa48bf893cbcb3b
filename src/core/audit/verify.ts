// Verifies the hash chain of an audit directory and pinpoints the first
// problem: which file, line and seq, and why. A torn last line (a crash in the
// middle of a write that was never reported) is told apart from tampering.
import { auditRecordSchema, GENESIS_HASH, recordHash } from '../../protocol/agent-audit-record.js';
import { readAuditLines } from './read-lines.js';
import { listAuditFiles } from './audit-files.js';

export type AuditProblemKind = 'tampered' | 'missing' | 'reordered' | 'broken-chain' | 'torn-tail';

export interface AuditProblem {
  kind: AuditProblemKind;
  file: string;
  line: number;
  /** The record's seq, or the seq expected there when the record can't be read. */
  seq: number;
  reason: string;
}

export interface AuditVerifyResult {
  ok: boolean;
  files: number;
  records: number;
  lastSeq: number;
  lastHash: string;
  problem?: AuditProblem;
}

/** Verify every audit file in `dir`. Never throws for bad content; a missing dir verifies as empty. */
export function verifyAuditLog(dir: string): AuditVerifyResult {
  const files = listAuditFiles(dir).length;
  let records = 0;
  let prevSeq = 0;
  let prevHash: string | undefined;
  let firstPrevHash: string | undefined;
  let firstAt: { file: string; line: number; seq: number } | undefined;
  const prunedAnchors = new Set<string>();
  const result = (problem?: AuditProblem): AuditVerifyResult => ({ ok: !problem, files, records, lastSeq: prevSeq, lastHash: prevHash ?? GENESIS_HASH, ...(problem ? { problem } : {}) });

  const lines = readAuditLines(dir);
  for (const line of lines) {
    const at = { file: line.file, line: line.line };
    const expectedSeq = prevSeq + 1;
    let data: unknown;
    try {
      data = JSON.parse(line.text);
    } catch {
      data = undefined;
    }
    const parsed = auditRecordSchema.safeParse(data);
    if (!parsed.success) {
      if (line.atTail && !line.complete) return result({ kind: 'torn-tail', ...at, seq: expectedSeq, reason: 'the last line is incomplete (a write was cut short); earlier records are intact' });
      return result({ kind: 'tampered', ...at, seq: seqIn(line.text) ?? expectedSeq, reason: data === undefined ? 'line is not valid JSON' : 'line is not an audit record' });
    }
    const record = parsed.data;
    if (recordHash(record) !== record.hash) {
      return result({ kind: 'tampered', ...at, seq: record.seq, reason: 'record hash does not match its content' });
    }
    if (!line.complete) return result({ kind: 'torn-tail', ...at, seq: record.seq, reason: 'the last line lacks its newline (a write was cut short)' });
    if (prevHash === undefined) {
      firstPrevHash = record.prevHash;
      firstAt = { ...at, seq: record.seq };
    } else {
      if (record.seq > expectedSeq) {
        // A gap: tell a moved record (it turns up later) from a removed one.
        const later = findSeq(lines, expectedSeq);
        if (later) return result({ kind: 'reordered', ...at, seq: record.seq, reason: `seq ${record.seq} appears before seq ${expectedSeq} (which is at ${later.file} line ${later.line})` });
        return result({ kind: 'missing', ...at, seq: record.seq, reason: `records ${expectedSeq}..${record.seq - 1} are missing` });
      }
      if (record.seq < expectedSeq) return result({ kind: 'reordered', ...at, seq: record.seq, reason: `seq ${record.seq} appears after seq ${prevSeq}` });
      if (record.prevHash !== prevHash) return result({ kind: 'broken-chain', ...at, seq: record.seq, reason: 'prevHash does not match the previous record' });
    }
    if (record.type === 'retention.pruned' && typeof record.lastPrunedHash === 'string') prunedAnchors.add(record.lastPrunedHash);
    prevSeq = record.seq;
    prevHash = record.hash;
    records++;
  }
  if (firstAt && firstPrevHash !== GENESIS_HASH && !prunedAnchors.has(firstPrevHash!)) {
    return result({ kind: 'missing', ...firstAt, reason: 'the log does not start at its first record and no retention record accounts for the earlier ones' });
  }
  return result();
}

function findSeq(rest: Iterable<{ file: string; line: number; text: string }>, seq: number): { file: string; line: number } | undefined {
  for (const l of rest) if (seqIn(l.text) === seq) return { file: l.file, line: l.line };
  return undefined;
}

function seqIn(text: string): number | undefined {
  const m = /"seq":(\d{1,15})[,}]/.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** One line a person can act on: `audit-2026-11-24-0001.jsonl line 7 (seq 7): tampered: record hash ...`. */
export function describeAuditProblem(p: AuditProblem): string {
  return `${p.file} line ${p.line} (seq ${p.seq}): ${p.kind}: ${p.reason}`;
}
