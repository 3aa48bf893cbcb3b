// The reminder in every session.pending: this technician's tickets with an
// undocumented emergency session. Read incrementally: the first request of a
// technician reads its whole history once, later ones only the audit records
// written since (seq past the last one read: a range on the primary key, not
// a scan of the technician's history per request). Only the records the fold
// needs are kept (emergency requests and their session starts), and every
// entry is re-read in full after REFRESH_MS so pruned records drop out as they
// did with a full read. Seq is the one chain's order, so records another relay
// wrote to the same store are read as well.
import type { AuditRecord } from '../audit/audit-record.js';
import { emergencySessions, undocumentedTickets } from '../audit/emergency-documentation.js';
import type { RelayStorage } from '../storage/storage.js';

/** How long a technician's kept records are trusted before a full re-read. */
export const REFRESH_MS = 10 * 60_000;

interface Kept {
  /** Highest seq read so far (every record up to it has been seen). */
  seq: number;
  /** The technician's emergency requests and the session starts of those requests. */
  records: AuditRecord[];
  readAt: number;
}

export class EmergencyReminders {
  private readonly kept = new Map<string, Kept>();

  constructor(
    private readonly storage: RelayStorage,
    private readonly now: () => number,
  ) {}

  /** Tickets of this technician with an emergency session that no documented close followed, sorted. */
  async undocumented(technicianId: string): Promise<string[]> {
    const mine = await this.emergencyRecords(technicianId);
    const tickets = undocumentedTickets(emergencySessions(mine), technicianId);
    // Another technician's documented close on the same ticket counts too: read each ticket's closes.
    const closesOf = (ticketId: string) => this.storage.queryAudit({ ticketId, kinds: ['close'] });
    const closes = await Promise.all(tickets.map(closesOf));
    return undocumentedTickets(emergencySessions([...mine, ...closes.flat()]), technicianId);
  }

  private async emergencyRecords(technicianId: string): Promise<AuditRecord[]> {
    const nowMs = this.now();
    const old = this.kept.get(technicianId);
    const fresh = old !== undefined && nowMs - old.readAt < REFRESH_MS;
    const since = fresh ? { fromSeq: old.seq + 1 } : {};
    const read = await this.storage.queryAudit({ technicianId, kinds: ['request', 'session-started'], ...since });
    const before = fresh ? old.records : [];
    const records = keepEmergencies([...before, ...read]);
    const entry: Kept = { seq: fresh ? old.seq : 0, records, readAt: fresh ? old.readAt : nowMs };
    for (const r of read) entry.seq = Math.max(entry.seq, r.seq);
    this.kept.set(technicianId, entry);
    return entry.records;
  }
}

/** What emergencySessions needs of these records: emergency requests and the starts of those requests. */
function keepEmergencies(records: readonly AuditRecord[]): AuditRecord[] {
  const emergency = new Set<string>();
  for (const r of records) {
    if (r.kind === 'request' && r.data.mode === 'emergency' && r.requestId !== null) emergency.add(r.requestId);
  }
  return records.filter((r) => r.requestId !== null && emergency.has(r.requestId));
}
