// One audit record: `{seq, ts, type, ...fields, prevHash, hash}` where hash is
// the sha256 of the canonical JSON (RFC 8785) of the record without `hash`.
import { z } from 'zod';
import { canonicalize } from './canonical-json.js';
import { sha256Hex } from './signing.js';

/** prevHash of the very first record of a log. */
export const GENESIS_HASH = '0'.repeat(64);

export const auditRecordSchema = z
  .looseObject({
    seq: z.number().int().min(1),
    ts: z.iso.datetime({ offset: false }),
    type: z.string().regex(/^[a-z][a-z0-9.-]{0,63}$/),
    prevHash: z.string().regex(/^[0-9a-f]{64}$/),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
  });
export type AuditRecord = z.infer<typeof auditRecordSchema>;

export type AuditFields = Record<string, unknown>;

export function recordHash(record: Record<string, unknown>): string {
  const { hash: _hash, ...rest } = record;
  return sha256Hex(canonicalize(rest));
}

export function sealRecord(seq: number, ts: string, type: string, fields: AuditFields, prevHash: string): AuditRecord {
  const body = { ...fields, seq, ts, type, prevHash };
  return { ...body, hash: recordHash(body) } as AuditRecord;
}

/** The line as written: compact JSON plus newline. */
export function recordLine(record: AuditRecord): string {
  return `${JSON.stringify(record)}\n`;
}
