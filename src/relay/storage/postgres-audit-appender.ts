// Group commit for the PostgreSQL central audit. Appends asked for while a
// batch is being written gather and go into the next transaction: one advisory
// lock, one read of the chain head, one multi-row INSERT, one COMMIT (one WAL
// flush) for all of them. Each caller's promise settles only after that COMMIT,
// so "written before forwarded" holds per record, and the advisory lock keeps
// the chain one line across instances, exactly as a single append does.
import type pg from 'pg';
import { z } from 'zod';
import type { AuditEntry, AuditRecord } from '../audit/audit-record.js';
import { chainBatch, type ChainedAppend, type PendingAppend } from './pending-append.js';
import { AUDIT_CHAIN_LOCK } from './postgres-schema.js';


export interface PostgresAppenderOptions {
  /** Records per transaction at most (default 512); 1 is the one-record-per-commit baseline. */
  maxAuditBatch?: number;
}

// BIGINT arrives as a string: node-postgres will not guess at precision.
export const headRow = z.object({ seq: z.coerce.number().int(), hash: z.string() });

// One statement for the whole batch: ten arrays, unnested row by row in order.
const INSERT_BATCH =
  'INSERT INTO audit (seq, at, kind, ticket_id, device_id, technician_id, request_id, session_id, record, hash) ' +
  'SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], ' +
  '$8::text[], $9::text[], $10::text[])';

export class PostgresAuditAppender {
  static readonly MAX_BATCH = 512;
  private readonly pending: PendingAppend[] = [];
  private readonly maxBatch: number;
  /** The batch being committed, if any: one at a time per instance, so its records keep the order asked. */
  private writing = false;
  commits = 0;

  constructor(
    private readonly withClient: <T>(work: (c: pg.PoolClient) => Promise<T>) => Promise<T>,
    opts: PostgresAppenderOptions = {},
  ) {
    this.maxBatch = Math.max(1, opts.maxAuditBatch ?? PostgresAuditAppender.MAX_BATCH);
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (!this.writing) this.flush();
    });
  }

  private flush(): void {
    if (this.writing || this.pending.length === 0) return;
    this.writing = true;
    const batch = this.pending.splice(0, this.maxBatch);
    void this.commit(batch).finally(() => {
      this.writing = false;
      this.flush();
    });
  }

  private async commit(batch: PendingAppend[]): Promise<void> {
    let built: ChainedAppend[];
    try {
      built = await this.withClient(async (c) => {
        await c.query('BEGIN');
        try {
          // Held until COMMIT: no other instance can read the same head and fork the chain.
          await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
          const head = await c.query('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
          const chained = chainBatch(batch, head.rows[0] ? headRow.parse(head.rows[0]) : null);
          if (chained.length > 0) await c.query(INSERT_BATCH, columnsOf(chained.map((b) => b.record)));
          await c.query('COMMIT');
          this.commits++;
          return chained;
        } catch (err) {
          await c.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
    } catch (err) {
      // Nothing of this batch is in the log: every caller hears the fault (database down, disk full).
      for (const p of batch) p.reject(err);
      return;
    }
    for (const { p, record } of built) p.resolve(record);
  }
}

function columnsOf(records: readonly AuditRecord[]): unknown[][] {
  return [
    records.map((r) => r.seq),
    records.map((r) => r.at),
    records.map((r) => r.kind),
    records.map((r) => r.ticketId),
    records.map((r) => r.deviceId),
    records.map((r) => r.technicianId),
    records.map((r) => r.requestId),
    records.map((r) => r.sessionId),
    records.map((r) => JSON.stringify(r)),
    records.map((r) => r.hash),
  ];
}
