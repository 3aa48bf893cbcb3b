// The evidence bundle says whether the ticket's emergency sessions were documented
// (seed 000: what was done, why, the result), derived from the records like the
// session views, so verify recomputes it and an edited status shows.
import { z } from 'zod';
import { identifier, isoTimestamp } from '../../protocol/primitives.js';
import type { AuditRecord } from '../audit/audit-record.js';
import { emergencySessions } from '../audit/emergency-documentation.js';

export const documentationStatusSchema = z.strictObject({
  status: z.enum(['not-required', 'documented', 'emergency-without-documentation']),
  emergencySessions: z
    .array(z.strictObject({ requestId: identifier, startedAt: isoTimestamp, documentedAt: isoTimestamp.nullable() }))
    .max(100_000),
});
export type DocumentationStatusEvidence = z.infer<typeof documentationStatusSchema>;

export function documentationStatusOf(records: readonly AuditRecord[]): DocumentationStatusEvidence {
  const sessions = emergencySessions(records).map((s) => ({ requestId: s.requestId, startedAt: s.startedAt, documentedAt: s.documentedAt }));
  const status = sessions.length === 0 ? 'not-required' : sessions.some((s) => s.documentedAt === null) ? 'emergency-without-documentation' : 'documented';
  return { status, emergencySessions: sessions };
}
