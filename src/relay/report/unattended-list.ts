// Every unattended and emergency request of the month, one row each, with the
// authority it ran on (approver and reference, or justification and incident)
// and the maintenance task it was for: what an auditor reads first (seed 003).
import type { SessionView } from '../audit/session-projection.js';

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
}

export function unattendedList(month: readonly SessionView[]): UnattendedRow[] {
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
      };
    });
}
