// What an audit stream carries of a central audit record: everything but the
// approval token (a signed bearer of a manager's approval; its approver,
// reference and expiry stay). Records never hold technician tokens or TOTP
// secrets in the first place (the admin trail keeps views, not hashes).
import type { AuditRecord } from '../audit/audit-record.js';

export type StreamRecord = Omit<AuditRecord, 'data'> & { data: unknown };

export function streamRecord(record: AuditRecord): StreamRecord {
  const data = record.data as Record<string, unknown>;
  const approval = data['approval'];
  if (approval === null || typeof approval !== 'object' || !('token' in approval)) return record;
  const { token: _token, ...kept } = approval as Record<string, unknown>;
  return { ...record, data: { ...data, approval: kept } };
}
