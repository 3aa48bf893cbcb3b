// Seed 000: an emergency session must be documented ("what you've done, why you
// did it, how you succeeded"). A pure fold over the central audit: which emergency
// sessions ran, on which ticket, and whether a documented close came after them.
// The relay uses it to refuse an undocumented close and to remind the technician;
// the report and the evidence bundle use it to list what is still undocumented.
import type { AuditKind, AuditRecord } from './audit-record.js';

/** The audit kinds the fold reads. */
export const DOCUMENTATION_KINDS: readonly AuditKind[] = ['request', 'session-started', 'close'];

export interface EmergencySession {
  requestId: string;
  ticketId: string;
  technicianId: string | null;
  /** Relay clock of the session start. */
  startedAt: string;
  /** When a close with what / why / result came after the start; null while undocumented. */
  documentedAt: string | null;
}

/** Every emergency request that started a session, oldest first, with its documentation state. */
export function emergencySessions(records: readonly AuditRecord[]): EmergencySession[] {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  const emergencyRequests = new Set<string>();
  const sessions: EmergencySession[] = [];
  for (const r of sorted) {
    if (r.kind === 'request' && r.data.mode === 'emergency' && r.requestId !== null) emergencyRequests.add(r.requestId);
    else if (r.kind === 'session-started' && r.requestId !== null && r.ticketId !== null && emergencyRequests.has(r.requestId)) {
      // A late duplicate of the same start does not open a second one.
      if (!sessions.some((s) => s.requestId === r.requestId)) {
        sessions.push({ requestId: r.requestId, ticketId: r.ticketId, technicianId: r.technicianId, startedAt: r.at, documentedAt: null });
      }
    } else if (r.kind === 'close' && r.data.documentation !== undefined) {
      for (const s of sessions) if (s.ticketId === r.ticketId && s.documentedAt === null) s.documentedAt = r.at;
    }
  }
  return sessions;
}

/** Tickets with an emergency session not yet documented (optionally only this technician's), sorted. */
export function undocumentedTickets(sessions: readonly EmergencySession[], technicianId?: string): string[] {
  const open = sessions.filter((s) => s.documentedAt === null && (technicianId === undefined || s.technicianId === technicianId));
  return [...new Set(open.map((s) => s.ticketId))].sort();
}
