// Group commit for the SQLite central audit. Every append asked for in one
// turn of the event loop (many requests on many connections) goes into one
// transaction and one fsync. Each caller's promise settles only after that
// COMMIT, so "written before forwarded" holds per record; the records of a
// batch are chained in the order asked, against the chain head the
// transaction sees (admin commands append from other processes too), so the
// chain stays one line.
//
// A database file commits on a worker thread (audit-writer-thread.ts): while
// one batch waits for the disk, the event loop goes on and the next batch
// gathers. ':memory:' (tests) and the one-record-per-fsync baseline commit on
// the event loop, in the check phase right after the I/O callbacks that asked.
import type { DatabaseSync } from 'node:sqlite';
import type { AuditEntry, AuditRecord } from '../audit/audit-record.js';
import { chainBatch, type ChainedAppend, type PendingAppend } from './pending-append.js';
import { AuditWriterThread, type AuditRow, type ChainHead } from './audit-writer-thread.js';


export interface AppenderOptions {
  /** Records per transaction at most (default 1024); 1 is the one-record-per-fsync baseline (on the event loop). */
  maxAuditBatch?: number;
}

const INSERT = 'INSERT INTO audit (seq, at, kind, ticket_id, device_id, technician_id, request_id, session_id, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
/** A batch re-chained this many times because other processes kept appending is refused (the callers hear why). */
const MAX_RECHAINS = 5;

export class SqliteAuditAppender {
  static readonly MAX_BATCH = 1024;
  private readonly pending: PendingAppend[] = [];
  private readonly maxBatch: number;
  private readonly threaded: boolean;
  private writer: AuditWriterThread | undefined;
  /** The batch on the writer thread, if any: one at a time, so batches commit in order. */
  private writing: Promise<void> | undefined;
  /** Head after our last commit; checked by the writer inside its transaction. */
  private head: ChainHead | undefined;
  commits = 0;

  constructor(
    private readonly db: DatabaseSync,
    private readonly path: string,
    private readonly headSync: () => ChainHead,
    private readonly rollbackIfOpen: () => void,
    opts: AppenderOptions = {},
  ) {
    this.maxBatch = opts.maxAuditBatch ?? SqliteAuditAppender.MAX_BATCH;
    this.threaded = path !== ':memory:' && this.maxBatch > 1;
  }

  append(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.pending.push({ entry, resolve, reject });
      if (this.pending.length === 1 && !this.writing) setImmediate(() => this.flush());
    });
  }

  /** Commit what is asked for and wait for the batch in flight; then the database may close. */
  async drain(): Promise<void> {
    for (;;) {
      this.flush();
      if (!this.writing) break;
      await this.writing;
    }
    await this.writer?.close();
    this.writer = undefined;
  }

  private flush(): void {
    if (!this.threaded) {
      while (this.pending.length > 0) this.commitHere(this.pending.splice(0, this.maxBatch));
      return;
    }
    if (this.writing || this.pending.length === 0) return;
    this.writing = this.commitOnThread(this.pending.splice(0, this.maxBatch)).finally(() => {
      this.writing = undefined;
      this.flush();
    });
  }

  private async commitOnThread(batch: PendingAppend[]): Promise<void> {
    this.writer ??= new AuditWriterThread(this.path);
    let head = this.head === undefined ? this.headSync() : this.head;
    for (let attempt = 0; attempt < MAX_RECHAINS; attempt++) {
      const built = chainBatch(batch, head);
      if (built.length === 0) return;
      let result;
      try {
        result = await this.writer.write(head, built.map(({ record }) => rowOf(record)));
      } catch (err) {
        // Nothing of this batch is in the log: every caller hears the fault (a full disk, an I/O error).
        this.head = undefined;
        for (const { p } of built) p.reject(err);
        return;
      }
      if (result.ok) {
        this.commits += 1;
        const last = built.at(-1)!.record;
        this.head = { seq: last.seq, hash: last.hash };
        for (const { p, record } of built) p.resolve(record);
        return;
      }
      head = result.head;
    }
    this.head = undefined;
    for (const p of batch) p.reject(new Error(`the audit chain head moved ${MAX_RECHAINS} times while this batch was written (other processes appending)`));
  }

  private commitHere(batch: PendingAppend[]): void {
    if (!this.db.isOpen) {
      for (const p of batch) p.reject(new Error('the relay database is closed'));
      return;
    }
    let built: ChainedAppend[];
    // Synchronous from BEGIN to COMMIT: no other append can interleave.
    try {
      this.db.exec('BEGIN IMMEDIATE');
      built = chainBatch(batch, this.headSync());
      const insert = this.db.prepare(INSERT);
      for (const { record } of built) insert.run(...rowOf(record));
      this.db.exec('COMMIT');
      this.commits += 1;
    } catch (err) {
      this.rollbackIfOpen();
      // (Settling a promise twice is a no-op: a record that already failed alone keeps its own error.)
      for (const p of batch) p.reject(err);
      return;
    }
    this.head = undefined;
    for (const { p, record } of built) p.resolve(record);
  }
}

function rowOf(r: AuditRecord): AuditRow {
  return [r.seq, r.at, r.kind, r.ticketId, r.deviceId, r.technicianId, r.requestId, r.sessionId, JSON.stringify(r), r.hash];
}
