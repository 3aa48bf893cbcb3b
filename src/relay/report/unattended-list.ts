// Every unattended and emergency request of the month, one row each, with the
// authority it ran on (approver and reference, or justification and incident)
// and the maintenance task it was for: what an auditor reads first (seed 003).
import type { SessionView } from '../audit/session-projection.js';
import type { EmergencySession } from '../audit/emergency-documentation.js';

/**
 * Seed 000, as of the report's end: `documented` (closed with what / why / result
 * after the session), `missing` (an emergency session ran, no such close yet),
 * `not-started` (an emergency request that never started a session: nothing to
 * document), `not-required` (unattended on a manager approval).
 */
export type DocumentationStatus = 'documented' | 'missing' | 'not-started' | 'not-required';

export const DOCUMENTATION_LABELS: Record<DocumentationStatus, string> = {
  documented: 'documented',
  missing: 'emergency without documentation',
  'not-started': 'no session',
  'not-required': 'not required',
};

export interface UnattendedRow {
  ticketId: string | null;
  requestId: string;
  requestedAt: string;
  mode: 'unattended' | 'emergency';
  technicianId: string | null;
  outcome: string | null;
  approver: string | null;
  reference: string | null;
  justification: string | null;
  incident: string | null;
  taskId: string | null;
  targets: string[];
  documentation: DocumentationStatus;
}

export function unattendedList(month: readonly SessionView[], emergencies: readonly EmergencySession[]): UnattendedRow[] {
  const byRequest = new Map(emergencies.map((e) => [e.requestId, e]));
  const status = (v: SessionView): DocumentationStatus => {
    if (v.mode !== 'emergency') return 'not-required';
    const e = byRequest.get(v.requestId);
    if (!e) return 'not-started';
    return e.documentedAt === null ? 'missing' : 'documented';
  };
  return month
    .filter((v): v is SessionView & { mode: 'unattended' | 'emergency' } => v.mode === 'unattended' || v.mode === 'emergency')
    .map((v) => {
      const a = v.authority;
      return {
        ticketId: v.ticketId,
        requestId: v.requestId,
        requestedAt: v.requestedAt,
        mode: v.mode,
        technicianId: v.technicianId,
        outcome: v.outcome,
        approver: a && 'approver' in a ? a.approver : null,
        reference: a && 'reference' in a ? a.reference : null,
        justification: a && 'justification' in a ? a.justification : null,
        incident: a && 'incident' in a ? a.incident : null,
        taskId: v.maintenance?.taskId ?? null,
        targets: v.maintenance?.targets ?? [],
        documentation: status(v),
      };
    });
}

/** "Emergency without documentation": the month's tickets with an emergency session still undocumented. */
export function undocumentedEmergencyTickets(rows: readonly UnattendedRow[]): string[] {
  return [...new Set(rows.filter((r) => r.documentation === 'missing' && r.ticketId !== null).map((r) => r.ticketId!))].sort();
}
