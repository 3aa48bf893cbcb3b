// PostgresStorage against a real PostgreSQL server started for this file: the shared RelayStorage
// contract, plus what only a shared database has: several instances appending to one chain,
// migrating at once, a schema from a newer relay, and the database going away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { verifyAuditChain } from '../../src/relay/audit/audit-record.js';
import { MIGRATIONS } from '../../src/relay/storage/postgres-schema.js';
import { PostgresStorage } from '../../src/relay/storage/postgres-storage.js';
import { postgresBinDir, startPostgres, type PostgresServer } from '../support/postgres-server.js';
import { closeEntry, describeRelayStorage } from './storage-conformance.js';

const installed = postgresBinDir() !== null;
if (!installed) console.warn('postgres-storage: PostgreSQL is not installed here (apt-get install postgresql); these tests are skipped');

let server: PostgresServer;
let databases = 0;
const freshDatabase = () => server.createDatabase(`t${++databases}`);

beforeAll(async () => {
  if (installed) server = await startPostgres();
}, 60_000);
afterAll(async () => {
  await server?.stop();
});

describe.runIf(installed)('PostgresStorage', () => {
  describeRelayStorage('PostgresStorage', async () => {
    const url = await freshDatabase();
    return { storage: new PostgresStorage({ url }), reopen: async () => new PostgresStorage({ url }) };
  });

  it('four instances appending 10,000 records at once write one linear chain', async () => {
    const url = await freshDatabase();
    const instances = Array.from({ length: 4 }, () => new PostgresStorage({ url }));
    try {
      await Promise.all(instances.map((s) => s.ready()));
      // Each instance appends from 4 lanes at once (as many as its pool has connections): 16 writers racing.
      const lane = async (s: PostgresStorage, name: string) => {
        for (let n = 0; n < 625; n++) await s.appendAudit(closeEntry(`${name}-${n}`, '2026-11-01T10:00:00.000Z'));
      };
      await Promise.all(instances.flatMap((s, i) => [0, 1, 2, 3].map((l) => lane(s, `I${i}L${l}`))));
      const all = await instances[0]!.queryAudit({});
      expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 10_000 }, (_, i) => i + 1));
      expect(verifyAuditChain(all)).toEqual({ ok: true });
    } finally {
      await Promise.all(instances.map((s) => s.close()));
    }
    // 10,000 row-locked transactions: about 10 s on a quiet 2-core machine, several times that when it is busy.
  }, 120_000);

  it('appends asked for together share transactions (group commit), in the order asked, one chain', async () => {
    const storage = new PostgresStorage({ url: await freshDatabase() });
    try {
      await storage.ready();
      const records = await Promise.all(Array.from({ length: 300 }, (_, n) => storage.appendAudit(closeEntry(`GC-${n}`, '2026-11-01T10:00:00.000Z'))));
      expect(records.map((r) => r.ticketId)).toEqual(Array.from({ length: 300 }, (_, n) => `GC-${n}`));
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, n) => n + 1));
      // The first goes alone, the rest gather while it commits: a handful of transactions, not 300.
      expect(storage.auditCommits).toBeLessThan(30);
      expect(verifyAuditChain(await storage.queryAudit({}))).toEqual({ ok: true });
    } finally {
      await storage.close();
    }
  });

  it('a batch the database refuses leaves nothing of it in the log, every caller hears why, and the next append goes on', async () => {
    const storage = new PostgresStorage({ url: await freshDatabase() });
    try {
      await storage.ready();
      // BEFORE commits alone; the three asked while it is written share the next transaction.
      const before = storage.appendAudit(closeEntry('BEFORE', '2026-11-01T10:00:00.000Z'));
      // A NUL in a text column: PostgreSQL refuses the whole INSERT, so the batch it is in fails as one.
      const asked = ['A', 'B\u0000', 'C'].map((t) => storage.appendAudit(closeEntry(t, '2026-11-01T10:00:00.000Z')));
      await before;
      const commits = storage.auditCommits;
      const settled = await Promise.allSettled(asked);
      expect(settled.every((r) => r.status === 'rejected')).toBe(true);
      expect(storage.auditCommits).toBe(commits);
      expect((await storage.queryAudit({})).map((r) => r.ticketId)).toEqual(['BEFORE']);
      const after = await storage.appendAudit(closeEntry('AFTER', '2026-11-01T10:00:00.000Z'));
      expect(after.seq).toBe(2);
      expect(verifyAuditChain(await storage.queryAudit({}))).toEqual({ ok: true });
    } finally {
      await storage.close();
    }
  });

  it('instances starting together migrate the database exactly once', async () => {
    const url = await freshDatabase();
    const instances = Array.from({ length: 4 }, () => new PostgresStorage({ url }));
    try {
      await Promise.all(instances.map((s) => s.ready()));
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query('SELECT version FROM porchlight_schema ORDER BY version');
      await client.end();
      expect(rows.map((r: { version: number }) => r.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    } finally {
      await Promise.all(instances.map((s) => s.close()));
    }
  });

  it('refuses a database whose schema is newer than this relay, and changes nothing', async () => {
    const url = await freshDatabase();
    const first = new PostgresStorage({ url });
    await first.appendAudit(closeEntry('INC1', '2026-11-01T10:00:00.000Z'));
    await first.close();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('INSERT INTO porchlight_schema (version, applied_at) VALUES ($1, $2)', [MIGRATIONS.length + 1, 'later']);
    const newer = new PostgresStorage({ url });
    try {
      await expect(newer.queryAudit({})).rejects.toThrow(`schema is version ${MIGRATIONS.length + 1}, newer than this relay knows`);
      expect((await client.query('SELECT count(*)::int AS n FROM audit')).rows[0]).toEqual({ n: 1 });
    } finally {
      await newer.close();
      await client.end();
    }
  });

  it('a database that cannot be reached is audit-unavailable in words, not a crash', async () => {
    const storage = new PostgresStorage({ url: 'postgres://porchlight@127.0.0.1:1/none' });
    try {
      await expect(storage.appendAudit(closeEntry('INC1', '2026-11-01T10:00:00.000Z'))).rejects.toMatchObject({
        code: 'audit-unavailable',
        message: expect.stringContaining('the relay database cannot be reached (ECONNREFUSED)'),
      });
    } finally {
      await storage.close();
    }
  });
});
