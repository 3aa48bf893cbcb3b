// The relay's PostgreSQL schema as numbered migrations. Each runs once, in order, inside one
// transaction that holds an advisory lock, so several relay instances starting together against
// one database migrate it exactly once. Never edit a migration that shipped: add the next one.
import type { PoolClient } from 'pg';
import { StorageSchemaError } from './postgres-errors.js';

/** Serialises migrations across instances (pg_advisory_xact_lock key). */
const MIGRATION_LOCK = 0x504c4d31; // "PLM1"

export const MIGRATIONS: readonly string[] = [
  // 1: what sqlite-storage.ts holds, column for column; audit records kept as the exact JSON text that was hashed.
  `
  CREATE TABLE technicians (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, grp TEXT NOT NULL, org TEXT,
    scopes TEXT NOT NULL, unattended BOOLEAN NOT NULL, token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL, disabled BOOLEAN NOT NULL DEFAULT FALSE
  );
  CREATE TABLE devices (device_id TEXT PRIMARY KEY, public_key TEXT NOT NULL, enrolled_at TEXT NOT NULL, last_seen_at TEXT);
  CREATE TABLE enrollments (
    token_hash TEXT PRIMARY KEY, device_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT 'enroll'
  );
  CREATE TABLE audit (
    seq BIGINT PRIMARY KEY, at TEXT NOT NULL, kind TEXT NOT NULL,
    ticket_id TEXT, device_id TEXT, technician_id TEXT, request_id TEXT, session_id TEXT,
    record TEXT NOT NULL, hash TEXT NOT NULL
  );
  CREATE INDEX audit_ticket ON audit (ticket_id, seq);
  CREATE INDEX audit_session ON audit (session_id, seq);
  CREATE INDEX audit_request ON audit (request_id, seq);
  CREATE INDEX audit_at ON audit (at);
  CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY, hash TEXT NOT NULL, at TEXT NOT NULL, relay_public_key TEXT NOT NULL, sig TEXT NOT NULL
  );
  `,
  // 2: accounts that expire, rotate with grace, disable themselves, and carry a second factor.
  `
  ALTER TABLE technicians
    ADD COLUMN token_expires_at TEXT, ADD COLUMN disable_at TEXT, ADD COLUMN last_sign_in_at TEXT,
    ADD COLUMN previous_token_hash TEXT, ADD COLUMN previous_token_until TEXT,
    ADD COLUMN mfa_secret TEXT, ADD COLUMN mfa_enrolled_at TEXT, ADD COLUMN mfa_last_step BIGINT;
  CREATE INDEX technicians_previous_token ON technicians (previous_token_hash);
  `,
  // 3: windows users agreed to in advance (issue 20), the device-signed record kept as JSON text.
  `
  CREATE TABLE agreed_windows (
    window_id TEXT PRIMARY KEY, device_id TEXT NOT NULL, technician_id TEXT NOT NULL, ticket_id TEXT NOT NULL,
    starts_at TEXT NOT NULL, ends_at TEXT NOT NULL, record TEXT NOT NULL, revoked_at TEXT
  );
  CREATE INDEX agreed_windows_device ON agreed_windows (device_id, starts_at);
  `,
  // 4: manager approvals limited to N sessions (approve --uses N): uses taken per token hash.
  `
  CREATE TABLE approval_uses (
    token_sha256 TEXT PRIMARY KEY, uses INTEGER NOT NULL, max_uses INTEGER NOT NULL, expires_at TEXT NOT NULL
  );
  `,
  // 5: the emergency reminder at every request reads one technician's records: an index, not a scan.
  `
  CREATE INDEX audit_technician ON audit (technician_id, seq);
  `,
];

/** Apply every migration the database has not seen; returns the schema version now in place. */
export async function migrate(client: PoolClient): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await client.query('CREATE TABLE IF NOT EXISTS porchlight_schema (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)');
    const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM porchlight_schema');
    const current = rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) throw new StorageSchemaError(`the database schema is version ${current}, newer than this relay knows (${MIGRATIONS.length})`);
    for (let v = current + 1; v <= MIGRATIONS.length; v++) {
      await client.query(MIGRATIONS[v - 1]!);
      await client.query('INSERT INTO porchlight_schema (version, applied_at) VALUES ($1, $2)', [v, new Date().toISOString()]);
    }
    await client.query('COMMIT');
    return MIGRATIONS.length;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Every append takes this lock for its transaction: one chain head, however many instances write. */
export const AUDIT_CHAIN_LOCK = 0x504c4131; // "PLA1"
