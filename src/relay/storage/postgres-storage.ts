// RelayStorage on PostgreSQL (node-postgres), for relays that run as several instances against
// one database. Same rows and semantics as sqlite-storage.ts; the audit chain stays linear because
// every append reads the head and inserts under one transaction-scoped advisory lock (appends that
// arrive together share one transaction: postgres-audit-appender.ts).
import pg from 'pg';
import { z } from 'zod';
import { auditRecordSchema, type AuditEntry, type AuditRecord } from '../audit/audit-record.js';
import { headRow, PostgresAuditAppender } from './postgres-audit-appender.js';
import { AUDIT_CHAIN_LOCK, migrate } from './postgres-schema.js';
import { asStorageError } from './postgres-errors.js';
import { agreedWindowColumns, agreedWindowOf, approvalUsesOf, deviceOf, enrollmentOf, technicianChangeColumns, technicianInsertColumns, technicianOf } from './storage-rows.js';
import type { SignedAgreedWindow } from '../../protocol/messages.js';
import type { ApprovalUses, AuditCheckpoint, AuditQuery, DeviceRecord, EnrollmentPurpose, EnrollmentRecord, RelayStorage, StoredAgreedWindow, TechnicianChange, TechnicianRecord } from './storage.js';

const pgBool = (v: boolean): boolean => v;
const placeholders = (n: number, from = 1): string => Array.from({ length: n }, (_, i) => `$${i + from}`).join(', ');

// BIGINT arrives as a string: node-postgres will not guess at precision.
const checkpointRow = z.object({ seq: z.coerce.number().int(), hash: z.string(), at: z.string(), relay_public_key: z.string(), sig: z.string() });
const recordRow = z.object({ record: z.string() });

const toCheckpoint = (row: unknown): AuditCheckpoint => {
  const r = checkpointRow.parse(row);
  return { seq: r.seq, hash: r.hash, at: r.at, relayPublicKey: r.relay_public_key, sig: r.sig };
};

export interface PostgresStorageOptions {
  /** postgres://user@host:port/db (sslmode=... and sslrootcert=... in the URL turn on TLS). */
  url: string;
  /** Connections kept by this instance (default 4). */
  poolSize?: number;
  /** Audit records per transaction at most (group commit; default 512, 1 = one commit per record). */
  maxAuditBatch?: number;
}

export class PostgresStorage implements RelayStorage {
  private readonly pool: pg.Pool;
  private readonly appender: PostgresAuditAppender;
  private migrated: Promise<void> | undefined;
  private closed = false;

  constructor(o: PostgresStorageOptions) {
    this.pool = new pg.Pool({ connectionString: o.url, max: o.poolSize ?? 4, connectionTimeoutMillis: 5000 });
    // An idle client losing its server must not crash the relay; the next query reports it.
    this.pool.on('error', () => undefined);
    const batch = o.maxAuditBatch !== undefined ? { maxAuditBatch: o.maxAuditBatch } : {};
    this.appender = new PostgresAuditAppender((work) => this.withClient(work), batch);
  }

  /** Transactions the central audit committed (group commit: fewer than records). */
  get auditCommits(): number {
    return this.appender.commits;
  }

  /** Connect and migrate; every method waits for this, the relay calls it at start to fail early. */
  ready(): Promise<void> {
    // A database that was down at the first try is tried again at the next call.
    this.migrated ??= this.withClient(async (c) => void (await migrate(c))).catch((err: unknown) => {
      this.migrated = undefined;
      throw err;
    });
    return this.migrated;
  }

  private async withClient<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw asStorageError(err);
    }
    try {
      return await work(client);
    } catch (err) {
      throw asStorageError(err);
    } finally {
      client.release();
    }
  }

  private async query(sql: string, args: unknown[] = []): Promise<pg.QueryResult> {
    await this.ready();
    return this.withClient((c) => c.query(sql, args));
  }

  async addTechnician(t: TechnicianRecord): Promise<void> {
    const columns = technicianInsertColumns(t, pgBool);
    await this.query(`INSERT INTO technicians (${columns.map(([c]) => c).join(', ')}) VALUES (${placeholders(columns.length)})`, columns.map(([, v]) => v));
  }

  async findTechnicianByTokenHash(tokenHash: string): Promise<TechnicianRecord | null> {
    const { rows } = await this.query('SELECT * FROM technicians WHERE token_hash = $1 OR previous_token_hash = $1 LIMIT 1', [tokenHash]);
    return rows[0] ? technicianOf(rows[0]) : null;
  }

  async updateTechnician(id: string, change: TechnicianChange): Promise<boolean> {
    const columns = technicianChangeColumns(change, pgBool);
    if (columns.length === 0) return (await this.getTechnician(id)) !== null;
    const set = columns.map(([c], i) => `${c} = $${i + 1}`).join(', ');
    const { rowCount } = await this.query(`UPDATE technicians SET ${set} WHERE id = $${columns.length + 1}`, [...columns.map(([, v]) => v), id]);
    return rowCount === 1;
  }

  async removeTechnician(id: string): Promise<boolean> {
    const { rowCount } = await this.query('DELETE FROM technicians WHERE id = $1', [id]);
    return rowCount === 1;
  }

  async recordTechnicianSignIn(id: string, at: string): Promise<void> {
    await this.query('UPDATE technicians SET last_sign_in_at = $1 WHERE id = $2', [at, id]);
  }

  async claimOtpStep(id: string, step: number): Promise<boolean> {
    const { rowCount } = await this.query('UPDATE technicians SET mfa_last_step = $1 WHERE id = $2 AND (mfa_last_step IS NULL OR mfa_last_step < $1)', [step, id]);
    return rowCount === 1;
  }

  async claimApprovalUse(tokenSha256: string, maxUses: number, expiresAt: string, now: string): Promise<number | null> {
    await this.query('DELETE FROM approval_uses WHERE expires_at < $1', [now]);
    const { rows } = await this.query(
      `INSERT INTO approval_uses (token_sha256, uses, max_uses, expires_at) VALUES ($1, 1, $2, $3)
       ON CONFLICT (token_sha256) DO UPDATE SET uses = approval_uses.uses + 1 WHERE approval_uses.uses < approval_uses.max_uses
       RETURNING uses`,
      [tokenSha256, maxUses, expiresAt],
    );
    return rows[0] ? Number((rows[0] as { uses: unknown }).uses) : null;
  }

  async releaseApprovalUse(tokenSha256: string): Promise<void> {
    await this.query('UPDATE approval_uses SET uses = uses - 1 WHERE token_sha256 = $1 AND uses > 0', [tokenSha256]);
  }

  async listApprovalUses(): Promise<ApprovalUses[]> {
    return (await this.query('SELECT * FROM approval_uses ORDER BY token_sha256')).rows.map((r) => approvalUsesOf(r));
  }

  async importApprovalUses(rows: readonly ApprovalUses[]): Promise<void> {
    for (const r of rows) {
      const args = [r.tokenSha256, r.uses, r.maxUses, r.expiresAt];
      await this.query('INSERT INTO approval_uses (token_sha256, uses, max_uses, expires_at) VALUES ($1, $2, $3, $4)', args);
    }
  }

  async getTechnician(id: string): Promise<TechnicianRecord | null> {
    const { rows } = await this.query('SELECT * FROM technicians WHERE id = $1', [id]);
    return rows[0] ? technicianOf(rows[0]) : null;
  }

  async listTechnicians(): Promise<TechnicianRecord[]> {
    const { rows } = await this.query('SELECT * FROM technicians ORDER BY id');
    return rows.map(technicianOf);
  }

  async addEnrollment(e: EnrollmentRecord): Promise<void> {
    await this.query('INSERT INTO enrollments (token_hash, device_id, created_at, expires_at, purpose) VALUES ($1, $2, $3, $4, $5)', [
      e.tokenHash,
      e.deviceId,
      e.createdAt,
      e.expiresAt,
      e.purpose ?? 'enroll',
    ]);
  }

  async consumeEnrollment(deviceId: string, tokenHash: string, now: string, purpose: EnrollmentPurpose = 'enroll'): Promise<boolean> {
    // One DELETE: of two instances consuming the same token at once, exactly one sees rowCount 1.
    const result = await this.query('DELETE FROM enrollments WHERE token_hash = $1 AND device_id = $2 AND expires_at > $3 AND purpose = $4', [
      tokenHash,
      deviceId,
      now,
      purpose,
    ]);
    return result.rowCount === 1;
  }

  async registerDevice(d: DeviceRecord): Promise<void> {
    await this.query(
      'INSERT INTO devices (device_id, public_key, enrolled_at, last_seen_at) VALUES ($1, $2, $3, $4) ' +
        'ON CONFLICT (device_id) DO UPDATE SET public_key = excluded.public_key, enrolled_at = excluded.enrolled_at',
      [d.deviceId, d.publicKey, d.enrolledAt, d.lastSeenAt],
    );
  }

  async getDevice(deviceId: string): Promise<DeviceRecord | null> {
    const { rows } = await this.query('SELECT * FROM devices WHERE device_id = $1', [deviceId]);
    return rows[0] ? deviceOf(rows[0]) : null;
  }

  async listDevices(): Promise<DeviceRecord[]> {
    return (await this.query('SELECT * FROM devices ORDER BY device_id')).rows.map(deviceOf);
  }

  async listEnrollments(): Promise<EnrollmentRecord[]> {
    const { rows } = await this.query('SELECT * FROM enrollments ORDER BY created_at, token_hash');
    return rows.map(enrollmentOf);
  }

  async touchDevice(deviceId: string, at: string): Promise<void> {
    await this.query('UPDATE devices SET last_seen_at = $1 WHERE device_id = $2', [at, deviceId]);
  }

  async appendAudit(entry: AuditEntry): Promise<AuditRecord> {
    await this.ready();
    return this.appender.append(entry);
  }

  /**
   * Copy records verbatim (seq, prevHash and hash as they are) into an empty audit: a migrated
   * chain must keep the hashes its checkpoints and evidence bundles already name.
   */
  async importAudit(records: readonly AuditRecord[]): Promise<void> {
    await this.ready();
    await this.withClient(async (c) => {
      await c.query('BEGIN');
      try {
        await c.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHAIN_LOCK]);
        const { rows } = await c.query('SELECT count(*)::int AS n FROM audit');
        if ((rows[0] as { n: number }).n !== 0) throw new Error('the target database already holds audit records; import only into an empty one');
        for (const r of records) {
          await c.query(
            'INSERT INTO audit (seq, at, kind, ticket_id, device_id, technician_id, request_id, session_id, record, hash) ' +
              'VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
            [r.seq, r.at, r.kind, r.ticketId, r.deviceId, r.technicianId, r.requestId, r.sessionId, JSON.stringify(r), r.hash],
          );
        }
        await c.query('COMMIT');
      } catch (err) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    });
  }

  async queryAudit(q: AuditQuery): Promise<AuditRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const bound = (clause: (p: string) => string, value: string | number | undefined) => {
      if (value === undefined) return;
      args.push(value);
      where.push(clause(`$${args.length}`));
    };
    bound((p) => `ticket_id = ${p}`, q.ticketId);
    bound((p) => `session_id = ${p}`, q.sessionId);
    bound((p) => `request_id = ${p}`, q.requestId);
    bound((p) => `device_id = ${p}`, q.deviceId);
    bound((p) => `technician_id = ${p}`, q.technicianId);
    if (q.kinds) {
      args.push([...q.kinds]);
      where.push(`kind = ANY($${args.length}::text[])`);
    }
    bound((p) => `at >= ${p}`, q.from);
    bound((p) => `at < ${p}`, q.to);
    bound((p) => `seq >= ${p}`, q.fromSeq);
    bound((p) => `seq <= ${p}`, q.toSeq);
    const { rows } = await this.query(`SELECT record FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq`, args);
    return rows.map((row) => auditRecordSchema.parse(JSON.parse(recordRow.parse(row).record)) as AuditRecord);
  }

  async auditHead(): Promise<{ seq: number; hash: string } | null> {
    const { rows } = await this.query('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    return rows[0] ? headRow.parse(rows[0]) : null;
  }

  async pruneAudit(before: string): Promise<number> {
    const result = await this.query('DELETE FROM audit WHERE at < $1', [before]);
    return result.rowCount ?? 0;
  }

  async addAgreedWindow(signed: SignedAgreedWindow): Promise<void> {
    const columns = agreedWindowColumns(signed);
    const names = columns.map(([c]) => c).join(', ');
    await this.query(`INSERT INTO agreed_windows (${names}) VALUES (${placeholders(columns.length)}) ON CONFLICT (window_id) DO NOTHING`, columns.map(([, v]) => v));
  }

  async revokeAgreedWindow(windowId: string, deviceId: string, at: string): Promise<boolean> {
    const sql = 'UPDATE agreed_windows SET revoked_at = $1 WHERE window_id = $2 AND device_id = $3 AND revoked_at IS NULL';
    const r = await this.query(sql, [at, windowId, deviceId]);
    return r.rowCount === 1;
  }

  async listAgreedWindows(deviceId: string): Promise<StoredAgreedWindow[]> {
    const sql = 'SELECT record, revoked_at FROM agreed_windows WHERE device_id = $1 ORDER BY starts_at, window_id';
    const { rows } = await this.query(sql, [deviceId]);
    return rows.map(agreedWindowOf);
  }

  async addCheckpoint(c: AuditCheckpoint): Promise<void> {
    await this.query(
      'INSERT INTO audit_checkpoints (seq, hash, at, relay_public_key, sig) VALUES ($1, $2, $3, $4, $5) ' +
        'ON CONFLICT (seq) DO UPDATE SET hash = excluded.hash, at = excluded.at, relay_public_key = excluded.relay_public_key, sig = excluded.sig',
      [c.seq, c.hash, c.at, c.relayPublicKey, c.sig],
    );
  }

  async latestCheckpoint(minSeq = 0): Promise<AuditCheckpoint | null> {
    const { rows } = await this.query('SELECT * FROM audit_checkpoints WHERE seq >= $1 ORDER BY seq DESC LIMIT 1', [minSeq]);
    return rows[0] ? toCheckpoint(rows[0]) : null;
  }

  async firstCheckpointFrom(seq: number): Promise<AuditCheckpoint | null> {
    const { rows } = await this.query('SELECT * FROM audit_checkpoints WHERE seq >= $1 ORDER BY seq ASC LIMIT 1', [seq]);
    return rows[0] ? toCheckpoint(rows[0]) : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
