// Naming and listing of audit files: audit-YYYY-MM-DD-NNNN.jsonl sorts in write order.
import { readdirSync } from 'node:fs';

const FILE_PATTERN = /^audit-(\d{4}-\d{2}-\d{2})-(\d{4})\.jsonl$/;

export function auditFileName(day: string, index: number): string {
  return `audit-${day}-${String(index).padStart(4, '0')}.jsonl`;
}

export function parseAuditFileName(name: string): { day: string; index: number } | undefined {
  const m = FILE_PATTERN.exec(name);
  return m ? { day: m[1]!, index: Number(m[2]) } : undefined;
}

/** Audit files in dir, oldest first. Missing dir -> []. */
export function listAuditFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => FILE_PATTERN.test(n)).sort();
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
