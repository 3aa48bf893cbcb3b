// One append waiting for its group commit, and how a group is chained: shared
// by the SQLite and PostgreSQL appenders, so both build the chain the same way.
import { chainRecord, type AuditEntry, type AuditRecord } from '../audit/audit-record.js';

export interface PendingAppend {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (err: unknown) => void;
}

export interface ChainedAppend {
  p: PendingAppend;
  record: AuditRecord;
}

/** Chain `batch` on `head` in the order asked; a record that cannot be built (a bug, not the disk) fails alone. */
export function chainBatch(batch: readonly PendingAppend[], head: { seq: number; hash: string } | null): ChainedAppend[] {
  const built: ChainedAppend[] = [];
  let prev = head;
  for (const p of batch) {
    try {
      const record = chainRecord(p.entry, prev);
      built.push({ p, record });
      prev = { seq: record.seq, hash: record.hash };
    } catch (err) {
      p.reject(err);
    }
  }
  return built;
}
