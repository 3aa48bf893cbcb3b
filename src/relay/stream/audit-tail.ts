// Reads the central audit after a seq, a bounded batch at a time, in chain
// order. Records from every writer show up here: this relay, admin commands in
// other processes, other instances sharing the database.
import type { AuditRecord } from '../audit/audit-record.js';
import type { RelayStorage } from '../storage/storage.js';

export const TAIL_BATCH = 200;

export type TailRead = { records: AuditRecord[]; gap?: { fromSeq: number; toSeq: number } };

export async function readAfter(storage: RelayStorage, seq: number, limit = TAIL_BATCH): Promise<TailRead> {
  const records = await storage.queryAudit({ fromSeq: seq + 1, toSeq: seq + limit });
  if (records.length > 0) {
    const first = records[0]!.seq;
    return first === seq + 1 ? { records } : { records, gap: { fromSeq: seq + 1, toSeq: first - 1 } };
  }
  const head = (await storage.auditHead())?.seq ?? 0;
  if (head <= seq) return { records: [] };
  // Nothing in the window but the chain goes on: retention removed a run. Find where it resumes
  // with windows that double (each an indexed range query), so a long gap costs a few reads.
  let from = seq + limit + 1;
  let width = limit * 2;
  while (from <= head) {
    const found = await storage.queryAudit({ fromSeq: from, toSeq: Math.min(from + width - 1, head) });
    if (found.length > 0) {
      const batch = found.slice(0, limit);
      return { records: batch, gap: { fromSeq: seq + 1, toSeq: batch[0]!.seq - 1 } };
    }
    from += width;
    width *= 2;
  }
  return { records: [], gap: { fromSeq: seq + 1, toSeq: head } };
}
