// Attack suite, audit: someone with access to the disk edits, reorders or
// truncates the agent's audit log (checked with the built `porchlight audit
// verify`, as an admin would), or the relay's central audit in its database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { listAuditFiles } from '../../src/core/audit/audit-files.js';
import { generateEd25519KeyPair, newMessageId } from '../../src/protocol/index.js';
import { verifyAuditChain } from '../../src/relay/audit/audit-record.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { ensureBuilt, runCli } from '../cli/built-cli.js';
import { startHarness } from '../core/agent-harness.js';
import { runAnchoredSession, type AnchoredSession } from '../relay/anchored-session.js';
import { connectAgent, decline } from '../relay/scripted-agent.js';
import { startRelay } from '../../src/relay/server.js';
import { hashSecretToken, newSecretToken } from '../../src/relay/secret-token.js';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';

/** A real agent log: one session with a decision, start, narration and end. */
let pristine: string;
beforeAll(async () => {
  await ensureBuilt();
  const h = await startHarness();
  const req = h.request({ scopes: ['view', 'control'] });
  h.relay.sendRequest(req);
  h.ui.answer((await h.ui.nextPrompt()).promptId, ['view']);
  const { sessionId } = await h.relay.waitFor('session.started');
  h.relay.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'checking the mail profile' });
  h.relay.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'technician' });
  await h.relay.waitFor('session.summary');
  await h.agent.stop();
  const dir = join(h.dataDir, 'audit');
  const files = listAuditFiles(dir);
  expect(files).toHaveLength(1);
  pristine = readFileSync(join(dir, files[0]!), 'utf8');
  await h.stop();
}, 180_000); // may build the CLI first

/** A copy of the pristine log, changed by `edit`, in a fresh dir; returns the CLI's verdict. */
async function verifyEdited(edit: (lines: string[]) => string[] | string): Promise<{ code: number; stderr: string; stdout: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-attack-audit-'));
  const lines = pristine.split('\n');
  const edited = edit(lines);
  writeFileSync(join(dir, 'audit-2026-11-24-0001.jsonl'), typeof edited === 'string' ? edited : edited.join('\n'));
  return runCli(['audit', 'verify', dir]);
}

describe('attack: agent audit log tampered, reordered, truncated', () => {
  it('audit log untouched verifies (control)', async () => {
    const r = await verifyEdited((l) => l);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^intact: \d+ records/);
  });

  it('audit log tampered: widening a recorded grant is caught and the line named', async () => {
    const r = await verifyEdited((lines) => lines.map((l) => (l.includes('"type":"consent.decision"') ? l.replace('"granted":["view"]', '"granted":["view","admin"]') : l)));
    const line = pristine.split('\n').findIndex((l) => l.includes('"type":"consent.decision"')) + 1;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`line ${line} `);
    expect(r.stderr).toMatch(/TAMPERED: .*tampered: record hash does not match/);
  });

  it('audit log tampered and re-hashed: a forged record breaks the chain', async () => {
    const { recordHash } = await import('../../src/protocol/agent-audit-record.js');
    const r = await verifyEdited((lines) =>
      lines.map((l) => {
        if (!l.includes('"type":"consent.decision"')) return l;
        const rec = JSON.parse(l) as Record<string, unknown>;
        rec.granted = ['view', 'admin'];
        rec.hash = recordHash(rec);
        return JSON.stringify(rec);
      }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/broken-chain/);
  });

  it('audit log reordered: two swapped records are caught', async () => {
    const r = await verifyEdited((lines) => {
      const copy = [...lines];
      [copy[2], copy[3]] = [copy[3]!, copy[2]!];
      return copy;
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/TAMPERED: .*line 3 .*(missing|reordered)/);
  });

  it('audit log truncated: records cut from the start or the middle are caught, a cut last line is a torn tail', async () => {
    const head = await verifyEdited((lines) => lines.slice(2));
    expect(head.code).toBe(1);
    expect(head.stderr).toMatch(/missing/);
    const middle = await verifyEdited((lines) => [...lines.slice(0, 3), ...lines.slice(5)]);
    expect(middle.code).toBe(1);
    expect(middle.stderr).toMatch(/line 4 .*missing/);
    const torn = await verifyEdited(() => pristine.slice(0, pristine.length - 40));
    expect(torn.code).toBe(3);
    expect(torn.stderr).toMatch(/torn tail/);
  });
});

describe('attack: agent audit log cut at its end, checked against the relay', () => {
  // A hash chain can't prove its own tail; the relay keeps the agent's anchors.
  let s: AnchoredSession;
  beforeAll(async () => {
    s = await runAnchoredSession();
  });
  afterAll(async () => {
    await s.close();
  });

  it('audit log truncated by whole records at the end: detected against the relay anchors', async () => {
    const [file] = listAuditFiles(s.auditDir);
    const lines = readFileSync(join(s.auditDir, file!), 'utf8').split('\n').filter((l) => l.length > 0);
    const lastAnchored = (JSON.parse(lines.findLast((l) => l.includes('"type":"session.summary"'))!) as { seq: number }).seq;
    const dir = mkdtempSync(join(tmpdir(), 'pl-attack-audit-cut-'));
    writeFileSync(join(dir, file!), lines.slice(0, -2).map((l) => `${l}\n`).join(''));
    const chainOnly = await runCli(['audit', 'verify', dir]);
    expect(chainOnly.code).toBe(0); // the chain alone can't tell
    const r = await runCli(['audit', 'verify', dir, '--anchors', s.anchorsFile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`seq ${lastAnchored}: truncated`);
  });
});

describe('attack: relay central audit tampered, reordered, truncated', () => {
  let dbFile: string;
  beforeAll(async () => {
    // A relay on a database file, one declined request routed through it.
    const dir = mkdtempSync(join(tmpdir(), 'pl-attack-relay-audit-'));
    const storage = new SqliteStorage(join(dir, 'relay.db'));
    const relay = await startRelay({ storage, relayKey: generateEd25519KeyPair(), port: 0 });
    const now = new Date().toISOString();
    const enrollToken = newSecretToken();
    await storage.addEnrollment({ deviceId: 'dev-audit', tokenHash: hashSecretToken(enrollToken), createdAt: now, expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    const techToken = newSecretToken();
    await storage.addTechnician({ id: 'alice', name: 'Alice', group: 'helpdesk', scopes: ['view'], unattended: false, tokenHash: hashSecretToken(techToken), createdAt: now, disabled: false });
    const conn = await connectAgent(relay.url, { deviceId: 'dev-audit', enrollmentToken: enrollToken });
    if (!conn.ok) throw new Error('agent did not connect');
    conn.agent.answer = decline;
    const tech = await connectTechnician(relay.url, techToken);
    if (!tech.ok) throw new Error(tech.detail);
    for (let i = 0; i < 3; i++) {
      const d = tech.client.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
      tech.client.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-audit', ticket: { id: `INC-A${i}` }, reason: 'audit me', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
      await d;
    }
    await tech.client.close();
    await conn.agent.close();
    await relay.close();
    await storage.close();
    dbFile = join(dir, 'relay.db');
  });

  async function chainAfter(edit: (db: DatabaseSync) => void) {
    const copy = join(mkdtempSync(join(tmpdir(), 'pl-attack-relay-copy-')), 'relay.db');
    copyFileSync(dbFile, copy);
    const db = new DatabaseSync(copy);
    edit(db);
    db.close();
    const s = new SqliteStorage(copy);
    try {
      return verifyAuditChain(await s.queryAudit({}));
    } finally {
      await s.close();
    }
  }

  it('central audit untouched verifies (control)', async () => {
    expect(await chainAfter(() => undefined)).toEqual({ ok: true });
  });

  it('central audit tampered: an edited decision is caught', async () => {
    const r = await chainAfter((db) => {
      const row = db.prepare("SELECT seq, record FROM audit WHERE kind = 'decision' ORDER BY seq LIMIT 1").get() as { seq: number; record: string };
      db.prepare('UPDATE audit SET record = ? WHERE seq = ?').run(row.record.replace('"outcome":"declined"', '"outcome":"accepted"'), row.seq);
    });
    expect(r).toMatchObject({ ok: false, problem: 'hash-mismatch' });
  });

  it('central audit reordered or truncated in the middle: the chain breaks', async () => {
    const swapped = await chainAfter((db) => {
      const rows = db.prepare('SELECT seq, record FROM audit ORDER BY seq LIMIT 3 OFFSET 1').all() as { seq: number; record: string }[];
      db.prepare('UPDATE audit SET record = ? WHERE seq = ?').run(rows[1]!.record, rows[0]!.seq);
      db.prepare('UPDATE audit SET record = ? WHERE seq = ?').run(rows[0]!.record, rows[1]!.seq);
    });
    expect(swapped.ok).toBe(false);
    const cut = await chainAfter((db) => db.prepare('DELETE FROM audit WHERE seq = 3').run());
    expect(cut).toMatchObject({ ok: false, problem: 'broken-link' });
  });
});
