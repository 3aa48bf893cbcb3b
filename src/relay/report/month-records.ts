// The records a month's report needs, without reading the whole retained
// audit: the kinds the figures use, from 30 days before the month (repeat
// incidents) to its end, plus the earlier history of every ticket seen there
// (MTTR and first-contact resolution of tickets that span months).
import type { AuditKind, AuditRecord } from '../audit/audit-record.js';
import type { RelayStorage } from '../storage/storage.js';
import { REPEAT_WINDOW_DAYS } from './compute.js';
import type { MonthWindow } from './month-window.js';

export const REPORT_KINDS: readonly AuditKind[] = ['request', 'decision', 'cancel', 'rejected', 'session-started', 'session-end', 'file-transfer', 'file-transfer-result', 'close', 'resolution'];

export async function recordsForMonth(storage: RelayStorage, window: MonthWindow): Promise<AuditRecord[]> {
  const from = new Date(window.startMs - REPEAT_WINDOW_DAYS * 86_400_000).toISOString();
  const to = new Date(window.endMs).toISOString();
  const recent = await storage.queryAudit({ from, to, kinds: REPORT_KINDS });
  const bySeq = new Map(recent.map((r) => [r.seq, r]));
  const tickets = new Set(recent.map((r) => r.ticketId).filter((t): t is string => t !== null));
  for (const ticketId of tickets) {
    for (const r of await storage.queryAudit({ ticketId, to: from, kinds: REPORT_KINDS })) bySeq.set(r.seq, r);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
