// Export of the audit records about one ticket, as JSONL (verbatim lines, so
// each keeps its hash) or as plain text for a person.
import type { AuditRecord } from './record.js';
import { auditRecordSchema } from './record.js';
import { readAuditLines } from './read-lines.js';

export type ExportFormat = 'jsonl' | 'text';

export function recordsForTicket(dir: string, ticketId: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const line of readAuditLines(dir)) {
    let data: unknown;
    try {
      data = JSON.parse(line.text);
    } catch {
      continue;
    }
    const parsed = auditRecordSchema.safeParse(data);
    if (parsed.success && parsed.data.ticketId === ticketId) out.push(parsed.data);
  }
  return out;
}

export function formatRecords(records: AuditRecord[], format: ExportFormat): string {
  if (format === 'jsonl') return records.map((r) => `${JSON.stringify(r)}\n`).join('');
  return records.map((r) => `${textLine(r)}\n`).join('');
}

function textLine(r: AuditRecord): string {
  const { seq, ts, type, prevHash: _p, hash, ...rest } = r;
  const details = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${ts} #${seq} ${type}${details ? ` ${details}` : ''} [${hash.slice(0, 12)}]`;
}
