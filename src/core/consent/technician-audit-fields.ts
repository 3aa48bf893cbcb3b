// Who asked, as the device log keeps it for a session request and a scheduling request alike: the verified
// identity and the warnings the dialog showed about the name (the same check the page runs on the same names).
import type { AuditFields } from '../../protocol/agent-audit-record.js';
import { identityWarnings } from '../../protocol/mixed-script.js';

interface AskedBy {
  requestId: string;
  ticket: { id: string };
  technician: { id: string; name: string; group: string; org?: string | undefined };
}

export function technicianAuditFields(p: AskedBy): AuditFields {
  const warnings = identityWarnings(p.technician);
  return {
    requestId: p.requestId,
    ticketId: p.ticket.id,
    technicianId: p.technician.id,
    technicianName: p.technician.name,
    technicianGroup: p.technician.group,
    ...(p.technician.org !== undefined ? { technicianOrg: p.technician.org } : {}),
    ...(warnings.length > 0 ? { identityWarnings: warnings } : {}),
  };
}
