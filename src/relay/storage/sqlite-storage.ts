// RelayStorage on node:sqlite (embedded, one file in the data dir). WAL mode,
// synchronous=FULL so an acknowledged audit record survives a crash; audit
// appends are group-committed (sqlite-audit-appender.ts).
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import { SqliteStatementCache } from './sqlite-statement-cache.js';
import { createPrivateDbFile, tightenDbFiles } from './private-db-file.js';
import { agreedWindowColumns, agreedWindowOf, approvalUsesOf, deviceOf, enrollmentOf, TECHNICIAN_LATER_COLUMNS, technicianChangeColumns, technicianInsertColumns, technicianOf } from './storage-rows.js';
import { z } from 'zod';
import { auditRecordSchema, type AuditEntry, type AuditRecord } from '../audit/audit-record.js';
import { SqliteDeviceTouches } from './sqlite-device-touches.js';
import { SqliteAuditAppender, type AppenderOptions } from './sqlite-audit-appender.js';
import type { SignedAgreedWindow } from '../../protocol/messages.js';
import type { ApprovalUses, AuditCheckpoint, AuditQuery, DeviceRecord, EnrollmentPurpose, EnrollmentRecord, RelayStorage, StoredAgreedWindow, TechnicianChange, TechnicianRecord } from './storage.js';

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
-- The reminder at every request reads a technician's records (issue 20): not a scan of the whole audit.
CREATE INDEX IF NOT EXISTS audit_technician ON audit(technician_id, seq);
CREATE TABLE IF NOT EXISTS approval_uses (
  token_sha256 TEXT PRIMARY KEY, uses INTEGER NOT NULL, max_uses INTEGER NOT NULL, expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  seq INTEGER PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, relay_public_key TEXT NOT NULL, sig TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agreed_windows (
  window_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, technician_id TEXT NOT NULL, ticket_id TEXT NOT NULL,
  starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, record TEXT NOT NULL, revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS agreed_windows_device ON agreed_windows(device_id, starts_at);
`;

const checkpointRow = z.object({ seq: z.number(), hash: z.string(), at: z.string(), relay_public_key: z.string(), sig: z.string() });
// Built once: a zod schema compiles itself on first use, so one made per row costs more than the row.
const recordRow = z.object({ record: z.string() });
const headRow = z.object({ seq: z.number(), hash: z.string() });
const usesRow = z.object({ uses: z.number() });
/** One statement, so two relays sharing the file can't both take the last use. */
const CLAIM_APPROVAL_USE = `INSERT INTO approval_uses (token_sha256, uses, max_uses, expires_at) VALUES (?, 1, ?, ?)
  ON CONFLICT (token_sha256) DO UPDATE SET uses = approval_uses.uses + 1 WHERE approval_uses.uses < approval_uses.max_uses
  RETURNING uses`;

export class SqliteStorage implements RelayStorage {
  private readonly db: DatabaseSync;
  private readonly appender: SqliteAuditAppender;
  private readonly touches: SqliteDeviceTouches;
  private readonly statements: SqliteStatementCache;

  /**
   * `path` is a file in the data dir, or ':memory:' for tests. `maxAuditBatch` 1 commits every
   * record in its own transaction (the benchmark's one-record-per-fsync baseline).
   */
  constructor(
    path: string,
    opts: AppenderOptions = {},
  ) {
    createPrivateDbFile(path);
    this.db = new DatabaseSync(path);
    this.statements = new SqliteStatementCache(this.db);
    // busy_timeout: admin commands (evidence, report, add-technician) share the file with a running relay.
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
    this.db.exec(SCHEMA);
    this.addPurposeColumn();
    this.addTechnicianColumns();
    tightenDbFiles(path);
    this.appender = new SqliteAuditAppender(this.db, path, () => this.headSync(), () => this.rollbackIfOpen(), opts);
    this.touches = new SqliteDeviceTouches(this.db, () => this.rollbackIfOpen());
  }

  async addTechnician(t: TechnicianRecord): Promise<void> {
    const columns = technicianInsertColumns(t, sqliteBool);
    this.statements.get(`INSERT INTO technicians (${columns.map(([c]) => c).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      .run(...(columns.map(([, v]) => v) as SQLInputValue[]));
  }

  async findTechnicianByTokenHash(tokenHash: string): Promise<TechnicianRecord | null> {
    const row = this.statements.get('SELECT * FROM technicians WHERE token_hash = ? OR previous_token_hash = ? LIMIT 1').get(tokenHash, tokenHash);
    return row ? technicianOf(row) : null;
  }

  async updateTechnician(id: string, change: TechnicianChange): Promise<boolean> {
    const columns = technicianChangeColumns(change, sqliteBool);
    if (columns.length === 0) return (await this.getTechnician(id)) !== null;
    const result = this.statements.get(`UPDATE technicians SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`)
      .run(...(columns.map(([, v]) => v) as SQLInputValue[]), id);
    return Number(result.changes) === 1;
  }

  async removeTechnician(id: string): Promise<boolean> {
    return Number(this.statements.get('DELETE FROM technicians WHERE id = ?').run(id).changes) === 1;
  }

  async recordTechnicianSignIn(id: string, at: string): Promise<void> {
    this.statements.get('UPDATE technicians SET last_sign_in_at = ? WHERE id = ?').run(at, id);
  }

  async claimOtpStep(id: string, step: number): Promise<boolean> {
    const result = this.statements.get('UPDATE technicians SET mfa_last_step = ? WHERE id = ? AND (mfa_last_step IS NULL OR mfa_last_step < ?)').run(step, id, step);
    return Number(result.changes) === 1;
  }

  async claimApprovalUse(tokenSha256: string, maxUses: number, expiresAt: string, now: string): Promise<number | null> {
    this.statements.get('DELETE FROM approval_uses WHERE expires_at < ?').run(now);
    const row = this.statements.get(CLAIM_APPROVAL_USE).get(tokenSha256, maxUses, expiresAt);
    return row ? usesRow.parse(row).uses : null;
  }

  async releaseApprovalUse(tokenSha256: string): Promise<void> {
    this.statements.get('UPDATE approval_uses SET uses = uses - 1 WHERE token_sha256 = ? AND uses > 0').run(tokenSha256);
  }

  async listApprovalUses(): Promise<ApprovalUses[]> {
    return this.statements.get('SELECT * FROM approval_uses ORDER BY token_sha256').all().map((r) => approvalUsesOf(r));
  }

  async importApprovalUses(rows: readonly ApprovalUses[]): Promise<void> {
    const insert = this.statements.get('INSERT INTO approval_uses (token_sha256, uses, max_uses, expires_at) VALUES (?, ?, ?, ?)');
    for (const r of rows) insert.run(r.tokenSha256, r.uses, r.maxUses, r.expiresAt);
  }

  /** Data dirs made before accounts had expiry, grace and MFA: the new columns start NULL. */
  private addTechnicianColumns(): void {
    const have = new Set((this.statements.get('PRAGMA table_info(technicians)').all() as Array<{ name: unknown }>).map((c) => c.name));
    for (const { column, type } of TECHNICIAN_LATER_COLUMNS) {
      if (!have.has(column)) this.db.exec(`ALTER TABLE technicians ADD COLUMN ${column} ${type}`);
    }
    this.db.exec('CREATE INDEX IF NOT EXISTS technicians_previous_token ON technicians(previous_token_hash)');
  }

  async getTechnician(id: string): Promise<TechnicianRecord | null> {
    const row = this.statements.get('SELECT * FROM technicians WHERE id = ?').get(id);
    return row ? technicianOf(row) : null;
  }

  async listTechnicians(): Promise<TechnicianRecord[]> {
    return this.statements.get('SELECT * FROM technicians ORDER BY id').all().map(technicianOf);
  }

  /** Data dirs made before re-keying was an explicit purpose: their tokens are plain enrollments. */
  private addPurposeColumn(): void {
    const columns = this.statements.get('PRAGMA table_info(enrollments)').all() as Array<{ name: unknown }>;
    if (!columns.some((c) => c.name === 'purpose')) this.db.exec("ALTER TABLE enrollments ADD COLUMN purpose TEXT NOT NULL DEFAULT 'enroll'");
  }

  async addEnrollment(e: EnrollmentRecord): Promise<void> {
    this.statements.get('INSERT INTO enrollments (token_hash, device_id, created_at, expires_at, purpose) VALUES (?, ?, ?, ?, ?)')
      .run(e.tokenHash, e.deviceId, e.createdAt, e.expiresAt, e.purpose ?? 'enroll');
  }

  async consumeEnrollment(deviceId: string, tokenHash: string, now: string, purpose: EnrollmentPurpose = 'enroll'): Promise<boolean> {
    const result = this.statements.get('DELETE FROM enrollments WHERE token_hash = ? AND device_id = ? AND expires_at > ? AND purpose = ?')
      .run(tokenHash, deviceId, now, purpose);
    return Number(result.changes) === 1;
  }

  async registerDevice(d: DeviceRecord): Promise<void> {
    this.statements.get('INSERT INTO devices (device_id, public_key, enrolled_at, last_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT(device_id) DO UPDATE SET public_key = excluded.public_key, enrolled_at = excluded.enrolled_at')
      .run(d.deviceId, d.publicKey, d.enrolledAt, d.lastSeenAt);
  }

  async getDevice(deviceId: string): Promise<DeviceRecord | null> {
    const row = this.statements.get('SELECT * FROM devices WHERE device_id = ?').get(deviceId);
    return row ? deviceOf(row) : null;
  }

  async listDevices(): Promise<DeviceRecord[]> {
    return this.statements.get('SELECT * FROM devices ORDER BY device_id').all().map(deviceOf);
  }

  async listEnrollments(): Promise<EnrollmentRecord[]> {
    return this.statements.get('SELECT * FROM enrollments ORDER BY created_at, token_hash').all().map(enrollmentOf);
  }

  /** Batched with the other hellos of the same turn: see sqlite-device-touches.ts. */
  touchDevice(deviceId: string, at: string): Promise<void> {
    return this.touches.touch(deviceId, at);
  }

  /** Last-seen transactions committed so far (the batching test reads it). */
  get deviceTouchCommits(): number {
    return this.touches.commits;
  }

  /** Group-committed: see sqlite-audit-appender.ts. Settles once the record's transaction committed. */
  appendAudit(entry: AuditEntry): Promise<AuditRecord> {
    return this.appender.append(entry);
  }

  /** Audit transactions committed so far (each one fsync): the group-commit tests and benchmark read it. */
  get auditCommits(): number {
    return this.appender.commits;
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
    return this.statements.get(sql)
      .all(...args)
      .map((row) => auditRecordSchema.parse(JSON.parse(recordRow.parse(row).record)) as AuditRecord);
  }

  async auditHead(): Promise<{ seq: number; hash: string } | null> {
    return this.headSync();
  }

  private headSync(): { seq: number; hash: string } | null {
    const row = this.statements.get('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get();
    return row ? headRow.parse(row) : null;
  }

  async pruneAudit(before: string): Promise<number> {
    const result = this.statements.get('DELETE FROM audit WHERE at < ?').run(before);
    return Number(result.changes);
  }

  async addAgreedWindow(signed: SignedAgreedWindow): Promise<void> {
    const columns = agreedWindowColumns(signed);
    this.statements.get(`INSERT OR IGNORE INTO agreed_windows (${columns.map(([c]) => c).join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
      .run(...columns.map(([, v]) => v));
  }

  async revokeAgreedWindow(windowId: string, deviceId: string, at: string): Promise<boolean> {
    const r = this.statements.get('UPDATE agreed_windows SET revoked_at = ? WHERE window_id = ? AND device_id = ? AND revoked_at IS NULL').run(at, windowId, deviceId);
    return Number(r.changes) === 1;
  }

  async listAgreedWindows(deviceId: string): Promise<StoredAgreedWindow[]> {
    return this.statements.get('SELECT record, revoked_at FROM agreed_windows WHERE device_id = ? ORDER BY starts_at, window_id').all(deviceId).map(agreedWindowOf);
  }

  async addCheckpoint(c: AuditCheckpoint): Promise<void> {
    this.statements.get('INSERT OR REPLACE INTO audit_checkpoints (seq, hash, at, relay_public_key, sig) VALUES (?, ?, ?, ?, ?)').run(c.seq, c.hash, c.at, c.relayPublicKey, c.sig);
  }

  async latestCheckpoint(minSeq = 0): Promise<AuditCheckpoint | null> {
    const row = this.statements.get('SELECT * FROM audit_checkpoints WHERE seq >= ? ORDER BY seq DESC LIMIT 1').get(minSeq);
    if (!row) return null;
    const r = checkpointRow.parse(row);
    return { seq: r.seq, hash: r.hash, at: r.at, relayPublicKey: r.relay_public_key, sig: r.sig };
  }

  async firstCheckpointFrom(seq: number): Promise<AuditCheckpoint | null> {
    const row = this.statements.get('SELECT * FROM audit_checkpoints WHERE seq >= ? ORDER BY seq ASC LIMIT 1').get(seq);
    if (!row) return null;
    const r = checkpointRow.parse(row);
    return { seq: r.seq, hash: r.hash, at: r.at, relayPublicKey: r.relay_public_key, sig: r.sig };
  }

  /** The file is opened and migrated in the constructor. */
  async ready(): Promise<void> {}

  async close(): Promise<void> {
    // Appends already asked for are committed (and their callers answered) before the file closes.
    await this.appender.drain();
    this.touches.flush();
    if (this.db.isOpen) this.db.close();
  }
}
