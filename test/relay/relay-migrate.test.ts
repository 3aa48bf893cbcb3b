// `porchlight relay migrate` from a scripted month in SQLite into a real PostgreSQL server: the
// copy is verbatim (same chain head, checkpoints still match), and the report and evidence built
// from PostgreSQL are the ones built from SQLite. A non-empty target or a broken source copies nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { checkpointHead } from '../../src/relay/audit/checkpoint.js';
import { openRelayData, type RelayData } from '../../src/relay/relay-data.js';
import { DATABASE_FILE } from '../../src/relay/data-dir.js';
import { PostgresStorage } from '../../src/relay/storage/postgres-storage.js';
import { capture } from '../cli/capture.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { scriptNovember } from './scripted-month.js';
import { generateEd25519KeyPair, signAgreedWindow } from '../../src/protocol/index.js';
import { agreedWindow } from '../fixtures/sample-messages.js';

const installed = postgresBinDir() !== null;
let server: PostgresServer;
let dir: string;
let data: RelayData;

beforeAll(async () => {
  if (!installed) return;
  server = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'pl-migrate-'));
  data = openRelayData(dir, {});
  await scriptNovember(data.storage);
  await data.storage.registerDevice({ deviceId: 'LAPTOP-NEW', publicKey: 'k'.repeat(43), enrolledAt: '2026-10-01T00:00:00.000Z', lastSeenAt: null });
  await data.storage.addEnrollment({ deviceId: 'LAPTOP-9', tokenHash: 'e'.repeat(64), createdAt: '2026-11-30T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' });
  // A window a user agreed to and then cancelled, and a two-use approval used once: both must survive the move.
  await data.storage.addAgreedWindow(signAgreedWindow(agreedWindow({ deviceId: 'LAPTOP-NEW' }), generateEd25519KeyPair()));
  await data.storage.revokeAgreedWindow('win-0001', 'LAPTOP-NEW', '2026-11-24T11:00:00.000Z');
  await data.storage.claimApprovalUse('a'.repeat(64), 2, '2099-01-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z');
  await checkpointHead(data.storage, data.relayKey, Date.parse('2026-12-01T00:00:00.000Z'));
  // Retention removed the oldest records: the chain no longer starts at seq 1.
  await data.storage.pruneAudit('2026-10-01T00:00:00.000Z');
  await data.storage.close();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

async function run(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const c = capture();
  const code = await main(argv, { ...c.ctx, env });
  return { code, ...c.text() };
}

describe.runIf(installed)('porchlight relay migrate', () => {
  it('copies everything verbatim, and PostgreSQL then gives the same report and evidence', async () => {
    const url = await server.createDatabase('migrated');
    const sqliteFile = join(dir, DATABASE_FILE);
    const result = await run(['relay', 'migrate', '--from-sqlite', sqliteFile, '--to', url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/technicians, 11 devices, 1 unspent enrollments, 1 agreed windows, 1 counted approvals, \d+ audit records, 1 checkpoints/);

    const pg = new PostgresStorage({ url });
    try {
      const [first] = await pg.queryAudit({ toSeq: 10 ** 9 });
      expect(first!.seq).toBeGreaterThan(1);
      expect(await pg.listDevices()).toHaveLength(11); // the scripted month enrolls its ten devices
      expect(await pg.listEnrollments()).toMatchObject([{ deviceId: 'LAPTOP-9' }]);
      expect(await pg.listAgreedWindows('LAPTOP-NEW')).toMatchObject([{ signed: { window: { windowId: 'win-0001' } }, revokedAt: '2026-11-24T11:00:00.000Z' }]);
      // The second use is still there, the third is not: the count moved with the data.
      expect(await pg.claimApprovalUse('a'.repeat(64), 2, '2099-01-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z')).toBe(2);
      expect(await pg.claimApprovalUse('a'.repeat(64), 2, '2099-01-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z')).toBeNull();
    } finally {
      await pg.close();
    }
    const fromSqlite = await run(['report', '--month', '2026-11', '--format', 'json', '--data', dir]);
    const fromPostgres = await run(['report', '--month', '2026-11', '--format', 'json', '--data', dir, '--storage', url]);
    expect(fromPostgres.code, fromPostgres.stderr).toBe(0);
    const withoutGeneratedAt = (text: string) => ({ ...(JSON.parse(text) as Record<string, unknown>), generatedAt: null });
    expect(withoutGeneratedAt(fromPostgres.stdout)).toEqual(withoutGeneratedAt(fromSqlite.stdout));

    const bundle = join(dir, 'INC-100.json');
    expect((await run(['evidence', '--ticket', 'INC-100', '--out', bundle, '--data', dir, '--storage', url])).code).toBe(0);
    const audit = await run(['relay', 'audit', '--ticket', 'INC-100', '--format', 'jsonl', '--data', dir, '--storage', url]);
    expect(audit.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { kind: string }).kind)).toContain('decision');
    const verified = await run(['evidence', 'verify', bundle, '--relay-key', data.relayKey.publicKey]);
    expect([verified.code, verified.stdout]).toEqual([0, expect.stringMatching(/^VERIFIED: ticket INC-100: \d+ relay records .* \(pinned\)/)]);

    // Once more into the same database: refused, nothing doubled.
    const again = await run(['relay', 'migrate', '--from-sqlite', sqliteFile, '--to', url]);
    expect([again.code, again.stderr]).toEqual([1, 'error: target-not-empty: the PostgreSQL database already holds relay data; migrate only into an empty one\n']);
  });

  it('a source whose chain does not verify is not copied', async () => {
    const url = await server.createDatabase('fromtampered');
    const tampered = join(mkdtempSync(join(tmpdir(), 'pl-migrate-bad-')), 'relay.db');
    const db = new DatabaseSync(join(dir, DATABASE_FILE));
    db.exec(`VACUUM INTO '${tampered}'`);
    db.close();
    const edit = new DatabaseSync(tampered);
    edit.exec(`UPDATE audit SET record = replace(record, '"outcome":"accepted"', '"outcome":"declined"') WHERE seq = (SELECT max(seq) FROM audit WHERE kind = 'decision')`);
    edit.close();
    const result = await run(['relay', 'migrate', '--from-sqlite', tampered, '--to', url]);
    expect([result.code, result.stderr]).toEqual([1, expect.stringMatching(/^error: source-broken: the SQLite audit does not verify at seq \d+ \(hash-mismatch\); nothing was copied/)]);
    const pg = new PostgresStorage({ url });
    try {
      expect(await pg.auditHead()).toBeNull();
    } finally {
      await pg.close();
    }
  });

  it('names what is missing or wrong in its arguments', async () => {
    expect((await run(['relay', 'migrate', '--to', 'postgres://h/db'])).code).toBe(2);
    expect((await run(['relay', 'migrate', '--from-sqlite', join(dir, 'nope.db'), '--to', 'postgres://h/db'])).stderr).toContain('does not exist');
    expect((await run(['relay', 'migrate', '--from-sqlite', join(dir, DATABASE_FILE), '--to', 'sqlite:///x'])).stderr).toContain('--to: the database URL must start with postgres://');
  });
});
