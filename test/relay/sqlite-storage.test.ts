import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { verifyAuditChain, type AuditEntry, type AuditRecord } from '../../src/relay/audit/audit-record.js';
import { signAuditCheckpoint, verifyAuditCheckpoint } from '../../src/relay/audit/checkpoint.js';
import { generateEd25519KeyPair } from '../../src/protocol/index.js';
import { describeRelayStorage } from './storage-conformance.js';

function closeEntry(ticketId: string, at: string): AuditEntry {
  return { kind: 'close', at, ticketId, deviceId: 'dev-1', technicianId: 'alice', requestId: null, sessionId: 'ses-1', data: { outcome: 'resolved' } };
}

describe('SqliteStorage', () => {
  it('writes the last-seen of many hellos of one turn in one transaction, each caller answered after it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pl-store-')), 'relay.db');
    const s = new SqliteStorage(path);
    const ids = Array.from({ length: 50 }, (_, i) => `dev-${i}`);
    for (const deviceId of ids) await s.registerDevice({ deviceId, publicKey: 'k', enrolledAt: '2026-11-01T10:00:00.000Z', lastSeenAt: null });
    await Promise.all(ids.map((id, i) => s.touchDevice(id, `2026-11-01T11:00:${String(i).padStart(2, '0')}.000Z`)));
    expect(s.deviceTouchCommits).toBe(1);
    expect((await s.getDevice('dev-49'))?.lastSeenAt).toBe('2026-11-01T11:00:49.000Z');
    // Asked for just before close: written, not lost.
    void s.touchDevice('dev-0', '2026-11-01T12:00:00.000Z');
    await s.close();
    const again = new SqliteStorage(path);
    expect((await again.getDevice('dev-0'))?.lastSeenAt).toBe('2026-11-01T12:00:00.000Z');
    await again.close();
  });

  it('chains audit records and answers per-ticket queries after a reopen', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pl-store-')), 'relay.db');
    const a = new SqliteStorage(path);
    await a.appendAudit(closeEntry('INC1', '2026-11-01T10:00:00.000Z'));
    await a.appendAudit(closeEntry('INC2', '2026-11-01T11:00:00.000Z'));
    await a.close();
    const b = new SqliteStorage(path);
    await b.appendAudit(closeEntry('INC1', '2026-11-02T10:00:00.000Z'));
    const all = await b.queryAudit({});
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(verifyAuditChain(all)).toEqual({ ok: true });
    expect((await b.queryAudit({ ticketId: 'INC1' })).map((r) => r.seq)).toEqual([1, 3]);
    await b.close();
  });

  it('opens a data dir made before accounts had expiry and MFA, keeping its technicians', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pl-store-')), 'relay.db');
    const old = new DatabaseSync(path);
    old.exec(`CREATE TABLE technicians (id TEXT PRIMARY KEY, name TEXT NOT NULL, grp TEXT NOT NULL, org TEXT,
      scopes TEXT NOT NULL, unattended INTEGER NOT NULL, token_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0)`);
    old.prepare('INSERT INTO technicians VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)').run('alice', 'Alice', 'helpdesk', null, '["view"]', 0, 'a'.repeat(64), '2026-01-01T00:00:00.000Z', 0);
    old.close();
    const s = new SqliteStorage(path);
    expect(await s.getTechnician('alice')).toEqual({ id: 'alice', name: 'Alice', group: 'helpdesk', scopes: ['view'], unattended: false, tokenHash: 'a'.repeat(64), createdAt: '2026-01-01T00:00:00.000Z', disabled: false });
    expect(await s.updateTechnician('alice', { tokenExpiresAt: '2027-01-01T00:00:00.000Z' })).toBe(true);
    expect(await s.getTechnician('alice')).toMatchObject({ tokenExpiresAt: '2027-01-01T00:00:00.000Z' });
    await s.close();
  });

  it('pinpoints an edited record', async () => {
    const s = new SqliteStorage(':memory:');
    for (const t of ['A1', 'A2', 'A3']) await s.appendAudit(closeEntry(t, '2026-11-01T10:00:00.000Z'));
    const records = await s.queryAudit({});
    const edited = records.map((r) => (r.seq === 2 ? { ...r, data: { outcome: 'escalated' } } : r)) as AuditRecord[];
    expect(verifyAuditChain(edited)).toEqual({ ok: false, seq: 2, problem: 'hash-mismatch' });
  });

  it('consumes an enrollment token once, only for its device, only before expiry', async () => {
    const s = new SqliteStorage(':memory:');
    await s.addEnrollment({ deviceId: 'dev-1', tokenHash: 'h1', createdAt: '2026-11-01T10:00:00.000Z', expiresAt: '2026-11-02T10:00:00.000Z' });
    expect(await s.consumeEnrollment('dev-2', 'h1', '2026-11-01T11:00:00.000Z')).toBe(false);
    expect(await s.consumeEnrollment('dev-1', 'h1', '2026-11-03T11:00:00.000Z')).toBe(false);
    expect(await s.consumeEnrollment('dev-1', 'h1', '2026-11-01T11:00:00.000Z')).toBe(true);
    expect(await s.consumeEnrollment('dev-1', 'h1', '2026-11-01T11:00:00.000Z')).toBe(false);
  });

  it('keeps enrollment and re-key tokens apart, also in a database made before re-key tokens existed', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pl-store-')), 'relay.db');
    const { DatabaseSync } = await import('node:sqlite');
    const old = new DatabaseSync(path);
    old.exec('CREATE TABLE enrollments (token_hash TEXT PRIMARY KEY, device_id TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL)');
    old.prepare('INSERT INTO enrollments VALUES (?, ?, ?, ?)').run('old', 'dev-1', '2026-11-01T10:00:00.000Z', '2026-11-02T10:00:00.000Z');
    old.close();
    const s = new SqliteStorage(path);
    const now = '2026-11-01T11:00:00.000Z';
    // A token from before re-keys existed is a plain enrollment: it can't re-key.
    expect(await s.consumeEnrollment('dev-1', 'old', now, 'rekey')).toBe(false);
    expect(await s.consumeEnrollment('dev-1', 'old', now)).toBe(true);
    await s.addEnrollment({ deviceId: 'dev-1', tokenHash: 'rk', createdAt: now, expiresAt: '2026-11-02T10:00:00.000Z', purpose: 'rekey' });
    expect(await s.consumeEnrollment('dev-1', 'rk', now, 'enroll')).toBe(false);
    expect(await s.consumeEnrollment('dev-1', 'rk', now, 'rekey')).toBe(true);
    await s.close();
  });

  it('prunes by retention and keeps the rest verifiable; checkpoints verify against the relay key', async () => {
    const s = new SqliteStorage(':memory:');
    await s.appendAudit(closeEntry('OLD', '2026-09-01T10:00:00.000Z'));
    await s.appendAudit(closeEntry('NEW', '2026-11-01T10:00:00.000Z'));
    expect(await s.pruneAudit('2026-10-01T00:00:00.000Z')).toBe(1);
    const rest = await s.queryAudit({});
    expect(verifyAuditChain(rest)).toEqual({ ok: true });
    const key = generateEd25519KeyPair();
    const head = await s.auditHead();
    const cp = signAuditCheckpoint(head!, '2026-11-01T10:00:01.000Z', key);
    await s.addCheckpoint(cp);
    expect(await s.latestCheckpoint(2)).toEqual(cp);
    expect(verifyAuditCheckpoint(cp, key.publicKey)).toBe(true);
    expect(verifyAuditCheckpoint({ ...cp, hash: '1'.repeat(64) }, key.publicKey)).toBe(false);
  });
});

describeRelayStorage('SqliteStorage', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'pl-store-')), 'relay.db');
  return { storage: new SqliteStorage(path), reopen: async () => new SqliteStorage(path) };
});
