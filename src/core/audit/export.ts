// Export of the audit records about one ticket, as JSONL (the lines exactly
// as written, so each keeps its hash and byte-for-byte provenance) or as
// plain text for a person.
import { terminalText } from '../../protocol/text-policy.js';
import type { AuditRecord } from '../../protocol/agent-audit-record.js';
import { auditRecordSchema } from '../../protocol/agent-audit-record.js';
import { readAuditLines } from './read-lines.js';

export type ExportFormat = 'jsonl' | 'text';

export interface ExportEntry {
  record: AuditRecord;
  /** The line as it is on disk (without its newline). */
  line: string;
}

/** Every readable record of the log, in file order (unreadable lines are verify's business). */
export function readAuditEntries(dir: string): ExportEntry[] {
  const out: ExportEntry[] = [];
  for (const line of readAuditLines(dir)) {
    let data: unknown;
    try {
      data = JSON.parse(line.text);
    } catch {
      continue;
    }
    const parsed = auditRecordSchema.safeParse(data);
    if (parsed.success) out.push({ record: parsed.data, line: line.text });
  }
  return out;
}

export function entriesForTicket(dir: string, ticketId: string): ExportEntry[] {
  return readAuditEntries(dir).filter((e) => e.record.ticketId === ticketId);
}

export function recordsForTicket(dir: string, ticketId: string): AuditRecord[] {
  return entriesForTicket(dir, ticketId).map((e) => e.record);
}

export function formatEntries(entries: ExportEntry[], format: ExportFormat): string {
  if (format === 'jsonl') return entries.map((e) => `${e.line}\n`).join('');
  return entries.map((e) => `${textLine(e.record)}\n`).join('');
}

function textLine(r: AuditRecord): string {
  const { seq, ts, type, prevHash: _p, hash, ...rest } = r;
  const details = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  // A person reads this in a terminal; the log may have been changed: the text policy's terminal form.
  return terminalText(`${ts} #${seq} ${type}${details ? ` ${details}` : ''} [${hash.slice(0, 12)}]`);
}
