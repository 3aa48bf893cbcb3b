// The alert webhook's events: one per membership or permission change, from the
// admin trail's records (whoever wrote them: an admin command in another
// process, or another relay instance), and one when a temporary account ends
// on its own (no command runs then, so no record: the relay sees the clock pass).
import type { AdminAction, AuditRecord } from '../audit/audit-record.js';
import { sha256Hex } from '../../protocol/signing.js';

export const ALERT_TYPES = {
  'technician-added': 'technician.added',
  'technician-changed': 'technician.changed',
  'technician-disabled': 'technician.disabled',
  'technician-enabled': 'technician.enabled',
  'technician-removed': 'technician.removed',
  'token-rotated': 'technician.token-rotated',
  'mfa-enrolled': 'technician.mfa-enrolled',
  'mfa-reset': 'technician.mfa-reset',
} as const satisfies Partial<Record<AdminAction, string>>;

export type AlertType = (typeof ALERT_TYPES)[keyof typeof ALERT_TYPES] | 'technician.temporary-ended';

export interface AlertEvent {
  /** Stable across retries and restarts: a receiver drops a repeat by it. */
  id: string;
  type: AlertType;
  occurredAt: string;
  technician: string;
  by: string | null;
  as: string | null;
  before: unknown;
  after: unknown;
  detail: string | null;
  /** The admin record this came from; null for a temporary account's end. */
  audit: { seq: number; hash: string } | null;
}

/** The event for an admin record, or null when the record is not a membership or permission change. */
export function alertForRecord(record: AuditRecord): AlertEvent | null {
  if (record.kind !== 'admin') return null;
  const data = (record as AuditRecord<'admin'>).data;
  const type = (ALERT_TYPES as Partial<Record<string, AlertType>>)[data.action];
  if (type === undefined) return null;
  return {
    id: `audit-${record.hash.slice(0, 32)}`,
    type,
    occurredAt: record.at,
    technician: data.target,
    by: data.by,
    as: data.as ?? null,
    before: data.before ?? null,
    after: data.after ?? null,
    detail: data.detail ?? null,
    audit: { seq: record.seq, hash: record.hash },
  };
}

export function temporaryEnded(technicianId: string, disableAt: string, before: unknown): AlertEvent {
  return {
    id: `temporary-${sha256Hex(`${technicianId}\n${disableAt}`).slice(0, 32)}`,
    type: 'technician.temporary-ended',
    occurredAt: disableAt,
    technician: technicianId,
    by: null,
    as: null,
    before,
    after: null,
    detail: `temporary account ended at ${disableAt}`,
    audit: null,
  };
}
