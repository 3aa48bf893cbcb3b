// RelayStorage on node:sqlite (embedded, one file in the data dir). WAL mode,
// synchronous=FULL so an acknowledged audit record survives a crash; audit
// appends are group-committed (one transaction and one fsync per event-loop turn).
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { createPrivateDbFile, tightenDbFiles } from './private-db-file.js';
import { deviceOf, enrollmentOf, TECHNICIAN_LATER_COLUMNS, technicianChangeColumns, technicianInsertColumns, technicianOf } from './storage-rows.js';
import { z } from 'zod';
import { auditRecordSchema, chainRecord, type AuditEntry, type AuditRecord } from '../audit/audit-record.js';
import type { AuditCheckpoint, AuditQuery, DeviceRecord, EnrollmentPurpose, EnrollmentRecord, RelayStorage, TechnicianChange, TechnicianRecord } from './storage.js';

const sqliteBool = (v: boolean): number => (v ? 1 : 0);

const SCHEMA = `
CREATE TABLE IF NOT EXISTS technicians (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, grp TEXT NOT NULL, org TEXT,
  scopes TEXT NOT NULL, unattended INTEGER NOT NULL, token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, enrolled_at TEXT NOT NULL, last_seen_at TEXT
);
CREATE TABLE IF NOT EXISTS enrollments (
  token_hash TEXT PRIMARY KEY, device_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
  purpose TEXT NOT NULL DEFAULT 'enroll'
);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL,
  ticket_id TEXT, device_id TEXT, technician_id TEXT, request_id TEXT, session_id TEXT,
  record TEXT NOT NULL, hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_ticket ON audit(ticket_id, seq);
CREATE INDEX IF NOT EXISTS audit_session ON audit(session_id, seq);
CREATE INDEX IF NOT EXISTS audit_request ON audit(request_id, seq);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, relay_public_key TEXT NOT NULL, sig TEXT NOT NULL
);
`;

const checkpointRow = z.object({ seq: z.number(), hash: z.string(), at: z.string(), relay_public_key: z.string(), sig: z.string() });

interface PendingAppend {
  entry: AuditEntry;
  resolve: (record: AuditRecord) => void;
  reject: (err: unknown) => void;
}

export class SqliteStorage implements RelayStorage {
  /** Records per transaction at most: a burst commits in several fsyncs rather than one unbounded one. */
  static readonly MAX_BATCH = 1024;
  private readonly db: DatabaseSync;
  private readonly pendingAppends: PendingAppend[] = [];
  private commits = 0;

  /**
   * `path` is a file in the data dir, or ':memory:' for tests. `maxAuditBatch` 1 commits every
   * record in its own transaction (the benchmark's one-record-per-fsync baseline).
   */
  constructor(
    path: string,
    private readonly opts: { maxAuditBatch?: number } = {},
  ) {
    createPrivateDbFile(path);
    this.db = new DatabaseSync(path);
    // busy_timeout: admin commands (evidence, report, add-technician) share the file with a running relay.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    this.db.exec(SCHEMA);
    this.addPurposeColumn();
    this.addTechnicianColumns();
    tightenDbFiles(path);
  }

  async addTechnician(t: TechnicianRecord): Promise<void> {
    const columns = technicianInsertColumns(t, sqliteBool);
    this.db
      .prepare(`INSERT INTO technicians (${columns.map(([c]) => c).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      .run(...(columns.map(([, v]) => v) as SQLInputValue[]));
  }

  async findTechnicianByTokenHash(tokenHash: string): Promise<TechnicianRecord | null> {
    const row = this.db.prepare('SELECT * FROM technicians WHERE token_hash = ? OR previous_token_hash = ? LIMIT 1').get(tokenHash, tokenHash);
    return row ? technicianOf(row) : null;
  }

  async updateTechnician(id: string, change: TechnicianChange): Promise<boolean> {
    const columns = technicianChangeColumns(change, sqliteBool);
    if (columns.length === 0) return (await this.getTechnician(id)) !== null;
    const result = this.db
      .prepare(`UPDATE technicians SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`)
      .run(...(columns.map(([, v]) => v) as SQLInputValue[]), id);
    return Number(result.changes) === 1;
  }

  async removeTechnician(id: string): Promise<boolean> {
    return Number(this.db.prepare('DELETE FROM technicians WHERE id = ?').run(id).changes) === 1;
  }

  async recordTechnicianSignIn(id: string, at: string): Promise<void> {
    this.db.prepare('UPDATE technicians SET last_sign_in_at = ? WHERE id = ?').run(at, id);
  }

  async claimOtpStep(id: string, step: number): Promise<boolean> {
    const result = this.db.prepare('UPDATE technicians SET mfa_last_step = ? WHERE id = ? AND (mfa_last_step IS NULL OR mfa_last_step < ?)').run(step, id, step);
    return Number(result.changes) === 1;
  }

  /** Data dirs made before accounts had expiry, grace and MFA: the new columns start NULL. */
  private addTechnicianColumns(): void {
    const have = new Set((this.db.prepare('PRAGMA table_info(technicians)').all() as Array<{ name: unknown }>).map((c) => c.name));
    for (const { column, type } of TECHNICIAN_LATER_COLUMNS) {
      if (!have.has(column)) this.db.exec(`ALTER TABLE technicians ADD COLUMN ${column} ${type}`);
    }
    this.db.exec('CREATE INDEX IF NOT EXISTS technicians_previous_token ON technicians(previous_token_hash)');
  }

  async getTechnician(id: string): Promise<TechnicianRecord | null> {
    const row = this.db.prepare('SELECT * FROM technicians WHERE id = ?').get(id);
    return row ? technicianOf(row) : null;
  }

  async listTechnicians(): Promise<TechnicianRecord[]> {
    return this.db.prepare('SELECT * FROM technicians ORDER BY id').all().map(technicianOf);
  }

  /** Data dirs made before re-keying was an explicit purpose: their tokens are plain enrollments. */
  private addPurposeColumn(): void {
    const columns = this.db.prepare('PRAGMA table_info(enrollments)').all() as Array<{ name: unknown }>;
    if (!columns.some((c) => c.name === 'purpose')) this.db.exec("ALTER TABLE enrollments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'enroll'");
  }

  async addEnrollment(e: EnrollmentRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO enrollments (token_hash, device_id, created_at, expires_at, purpose) VALUES (?, ?, ?, ?, ?)')
      .run(e.tokenHash, e.deviceId, e.createdAt, e.expiresAt, e.purpose ?? 'enroll');
  }

  async consumeEnrollment(deviceId: string, tokenHash: string, now: string, purpose: EnrollmentPurpose = 'enroll'): Promise<boolean> {
    const result = this.db
      .prepare('DELETE FROM enrollments WHERE token_hash = ? AND device_id = ? AND expires_at > ? AND purpose = ?')
      .run(tokenHash, deviceId, now, purpose);
    return Number(result.changes) === 1;
  }

  async registerDevice(d: DeviceRecord): Promise<void> {
    this.db
      .prepare('INSERT INTO devices (device_id, public_key, enrolled_at, last_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET public_key = excluded.public_key, enrolled_at = excluded.enrolled_at')
      .run(d.deviceId, d.publicKey, d.enrolledAt, d.lastSeenAt);
  }

  async getDevice(deviceId: string): Promise<DeviceRecord | null> {
    const row = this.db.prepare('SELECT * FROM devices WHERE device_id = ?').get(deviceId);
    return row ? deviceOf(row) : null;
  }

  async listDevices(): Promise<DeviceRecord[]> {
    return this.db.prepare('SELECT * FROM devices ORDER BY device_id').all().map(deviceOf);
  }

  async listEnrollments(): Promise<EnrollmentRecord[]> {
    return this.db.prepare('SELECT * FROM enrollments ORDER BY created_at, token_hash').all().map(enrollmentOf);
  }

  async touchDevice(deviceId: string, at: string): Promise<void> {
    this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE device_id = ?').run(at, deviceId);
  }

  /**
   * Group commit: every append asked for in one turn of the event loop (many requests, many
   * connections) goes into one transaction and one fsync, committed in the check phase right after
   * the I/O callbacks that asked. Each caller's promise settles only after that COMMIT, so "written
   * before forwarded" holds per record; the chain stays linear because the batch is chained in
   * order inside the transaction, against the head read there (admin commands append from other
   * processes too).
   */
  appendAudit(entry: AuditEntry): Promise<AuditRecord> {
    return new Promise<AuditRecord>((resolve, reject) => {
      this.pendingAppends.push({ entry, resolve, reject });
      if (this.pendingAppends.length === 1) setImmediate(() => this.commitPendingAppends());
    });
  }

  /** Audit transactions committed so far (each one fsync): the group-commit tests and benchmark read it. */
  get auditCommits(): number {
    return this.commits;
  }

  private commitPendingAppends(): void {
    while (this.pendingAppends.length > 0) {
      const batch = this.pendingAppends.splice(0, this.opts.maxAuditBatch ?? SqliteStorage.MAX_BATCH);
      if (this.db.isOpen) this.commitBatch(batch);
      else for (const p of batch) p.reject(new Error('the relay database is closed'));
    }
  }

  private commitBatch(batch: PendingAppend[]): void {
    const done: Array<{ p: PendingAppend; record: AuditRecord }> = [];
    // Synchronous from BEGIN to COMMIT: no other append can interleave.
    try {
      this.db.exec('BEGIN IMMEDIATE');
      let head = this.headSync();
      const insert = this.db.prepare('INSERT INTO audit (seq, at, kind, ticket_id, device_id, technician_id, request_id, session_id, record, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      for (const p of batch) {
        let record: AuditRecord;
        try {
          record = chainRecord(p.entry, head);
        } catch (err) {
          // A record that cannot be built (a bug, not the disk) fails alone; the rest of the batch goes on.
          p.reject(err);
          continue;
        }
        insert.run(record.seq, record.at, record.kind, record.ticketId, record.deviceId, record.technicianId, record.requestId, record.sessionId, JSON.stringify(record), record.hash);
        head = { seq: record.seq, hash: record.hash };
        done.push({ p, record });
      }
      this.db.exec('COMMIT');
      this.commits += 1;
    } catch (err) {
      this.rollbackIfOpen();
      // Nothing of this batch is in the log: every caller hears the fault (a full disk, an I/O error).
      // (Settling a promise twice is a no-op: a record that already failed alone keeps its own error.)
      for (const p of batch) p.reject(err);
      return;
    }
    for (const { p, record } of done) p.resolve(record);
  }

  /** SQLite rolls back by itself on a full disk or I/O error: a second ROLLBACK would throw and hide the cause. */
  private rollbackIfOpen(): void {
    // isTransaction is undefined before Node 22.16: then try, and ignore "no transaction is active".
    if ((this.db.isTransaction as boolean | undefined) === false) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      // Nothing was open; the caller rethrows the original error.
    }
  }

  async queryAudit(q: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const args: SQLInputValue[] = [];
    const bound = (clause: string, value: string | number | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      args.push(value);
    };
    const eq = (column: string, value: string | undefined) => bound(`${column} = ?`, value);
    eq('ticket_id', q.ticketId);
    eq('session_id', q.sessionId);
    eq('request_id', q.requestId);
    eq('device_id', q.deviceId);
    eq('technician_id', q.technicianId);
    if (q.kinds) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(', ') || "''"})`);
      args.push(...q.kinds);
    }
    bound('at >= ?', q.from);
    bound('at < ?', q.to);
    bound('seq >= ?', q.fromSeq);
    bound('seq <= ?', q.toSeq);
    const sql = `SELECT record FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`;
    return this.db
      .prepare(sql)
      .all(...args)
      .map((row) => auditRecordSchema.parse(JSON.parse(z.object({ record: z.string() }).parse(row).record)) as AuditRecord);
  }

  async auditHead(): Promise<{ seq: number; hash: string } | null> {
    return this.headSync();
  }

  private headSync(): { seq: number; hash: string } | null {
    const row = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get();
    return row ? z.object({ seq: z.number(), hash: z.string() }).parse(row) : null;
  }

  async pruneAudit(before: string): Promise<number> {
    const result = this.db.prepare('DELETE FROM audit WHERE at < ?').run(before);
    return Number(result.changes);
  }

  async addCheckpoint(c: AuditCheckpoint): Promise<void> {
    this.db.prepare('INSERT OR REPLACE INTO audit_checkpoints (seq, hash, at, relay_public_key, sig) VALUES (?, ?, ?, ?, ?)').run(c.seq, c.hash, c.at, c.relayPublicKey, c.sig);
  }

  async latestCheckpoint(minSeq = 0): Promise<AuditCheckpoint | null> {
    const row = this.db.prepare('SELECT * FROM audit_checkpoints WHERE seq >= ? ORDER BY seq DESC LIMIT 1').get(minSeq);
    if (!row) return null;
    const r = checkpointRow.parse(row);
    return { seq: r.seq, hash: r.hash, at: r.at, relayPublicKey: r.relay_public_key, sig: r.sig };
  }

  async firstCheckpointFrom(seq: number): Promise<AuditCheckpoint | null> {
    const row = this.db.prepare('SELECT * FROM audit_checkpoints WHERE seq >= ? ORDER BY seq ASC LIMIT 1').get(seq);
    if (!row) return null;
    const r = checkpointRow.parse(row);
    return { seq: r.seq, hash: r.hash, at: r.at, relayPublicKey: r.relay_public_key, sig: r.sig };
  }

  /** The file is opened and migrated in the constructor. */
  async ready(): Promise<void> {}

  async close(): Promise<void> {
    // Appends already asked for are committed (and their callers answered) before the file closes.
    this.commitPendingAppends();
    if (this.db.isOpen) this.db.close();
  }
}
