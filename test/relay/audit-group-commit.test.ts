// Group commit of the central audit: appends asked for together share one
// transaction (one fsync), the chain stays one unbroken line, and nothing of a
// batch reaches a peer before that batch committed: on a full disk (a real
// tmpfs) a whole batch of concurrent requests fails and not one is forwarded.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { verifyAuditChain, type AuditEntry } from '../../src/relay/audit/audit-record.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { decide, type ScriptedAgent } from './scripted-agent.js';
import { mountSmallDisk, tmpfsUnavailable, type SmallDisk } from './small-disk.js';
import { inTime } from '../support/bounded-wait.js';

let t: TestRelay | undefined;
let disk: SmallDisk | undefined;
afterEach(async () => {
  disk?.free();
  await t?.close();
  disk?.unmount();
  t = undefined;
  disk = undefined;
});

const entry = (i: number): AuditEntry => ({ kind: 'narration', at: new Date().toISOString(), ticketId: `INC-${i}`, deviceId: null, technicianId: null, requestId: null, sessionId: null, data: { text: `record ${i}` } }) as AuditEntry;

function request(deviceId: string, ticket: string): Message<'tech.request'> {
  return { v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ticket }, reason: 'Group commit drill', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 };
}

/** The technician's answer to one request: session.pending / session.decision, or the error that refers to it. */
function answerTo(tech: TechnicianClient, frame: Message<'tech.request'>): Promise<Message | null> {
  return tech.waitFor((m) => (m.type === 'session.decision' || (m.type === 'error' && m.re === frame.id) ? m : undefined));
}

/** A round trip on the agent's own connection: every frame the relay sent it before the reply has arrived. */
async function agentRoundTrip(agent: ScriptedAgent): Promise<void> {
  const id = `probe-${newMessageId()}`;
  const reply = agent.next('error');
  agent.send({ v: 1, type: 'session.end', id, sessionId: 'no-such-session', by: 'user' });
  expect(await inTime(reply, 'probe reply')).toMatchObject({ re: id });
}

describe('central audit group commit', () => {
  it('1,000 concurrent appends commit in one transaction as seq 1..1000, one verifiable chain', async () => {
    const storage = new SqliteStorage(join(mkdtempSync(join(tmpdir(), 'pl-group-commit-')), 'relay.db'));
    try {
      const records = await Promise.all(Array.from({ length: 1000 }, (_, i) => storage.appendAudit(entry(i))));
      expect(storage.auditCommits).toBe(1);
      // Each caller got its own record, in the order it asked.
      expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
      expect(records.map((r) => r.ticketId)).toEqual(Array.from({ length: 1000 }, (_, i) => `INC-${i}`));
      const stored = await storage.queryAudit({});
      expect(stored).toEqual(records);
      expect(verifyAuditChain(stored)).toEqual({ ok: true });
      // The next batch links to the head of the first.
      const later = await storage.appendAudit(entry(1000));
      expect(later).toMatchObject({ seq: 1001, prevHash: records[999]!.hash });
      expect(storage.auditCommits).toBe(2);
    } finally {
      await storage.close();
    }
  });

  it('re-chains a batch when another process appended in between (the writer thread checks the head in its transaction)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'pl-group-commit-')), 'relay.db');
    const relay = new SqliteStorage(file);
    const admin = new SqliteStorage(file); // an admin command's own connection, as from another process
    try {
      await Promise.all(Array.from({ length: 10 }, (_, i) => relay.appendAudit(entry(i))));
      await admin.appendAudit(entry(100));
      // The relay's cached head is now stale: its next batch must link to the admin's record.
      const next = await Promise.all(Array.from({ length: 10 }, (_, i) => relay.appendAudit(entry(200 + i))));
      expect(next[0]).toMatchObject({ seq: 12 });
      const all = await relay.queryAudit({});
      expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
      expect(verifyAuditChain(all)).toEqual({ ok: true });
    } finally {
      await admin.close();
      await relay.close();
    }
  });

  it('requests and decisions of many technicians at once share fsyncs and form one chain', async () => {
    t = await startTestRelay({}, { path: join(mkdtempSync(join(tmpdir(), 'pl-group-commit-')), 'relay.db') });
    const agents = await Promise.all(Array.from({ length: 20 }, (_, i) => t!.agent(`dev-${i}`)));
    for (const a of agents) a.answer = (req) => [decide(req, 'declined', [])];
    const techs = await Promise.all(Array.from({ length: 40 }, (_, i) => t!.technician(`tech-${i}`)));
    const before = t.storage.auditCommits;
    const frames = techs.map((_, i) => request(`dev-${i % agents.length}`, `INC-${i}`));
    const answers = frames.map((f, i) => answerTo(techs[i]!, f));
    frames.forEach((f, i) => techs[i]!.send(f));
    const got = await inTime(Promise.all(answers), '40 decisions', 10_000);
    expect(got.map((m) => m?.type)).toEqual(frames.map(() => 'session.decision'));
    const records = await t.storage.queryAudit({ kinds: ['request', 'decision'] });
    expect(records.filter((r) => r.kind === 'request')).toHaveLength(40);
    expect(records.filter((r) => r.kind === 'decision')).toHaveLength(40);
    const commits = t.storage.auditCommits - before;
    // 80 records in far fewer transactions (each request and each decision alone would be 80).
    expect(commits, `${commits} commits for 80 records`).toBeLessThan(40);
    const all = await t.storage.queryAudit({});
    expect(all.map((r) => r.seq)).toEqual(all.map((_, i) => i + 1));
    expect(verifyAuditChain(all)).toEqual({ ok: true });
  });

  describe.skipIf(tmpfsUnavailable !== null)(`on a full disk${tmpfsUnavailable ? ` (skipped: ${tmpfsUnavailable})` : ''}`, () => {
    it('forwards nothing of a batch that did not commit, and forwards each record only once committed', async () => {
      disk = mountSmallDisk(8192);
      t = await startTestRelay({}, { path: join(disk.dir, 'relay.db') });
      const agents = await Promise.all(Array.from({ length: 10 }, (_, i) => t!.agent(`dev-${i}`)));
      const techs = await Promise.all(Array.from({ length: 20 }, (_, i) => t!.technician(`tech-${i}`)));
      // Take the disk and then the pages SQLite still holds, until the database itself refuses a record.
      disk.fill();
      let refused = false;
      for (let i = 0; i < 500 && !refused; i++) refused = await t.storage.appendAudit(entry(i)).then(() => false, () => true);
      expect(refused, '500 records still fit on a full disk').toBe(true);

      const frames = techs.map((_, i) => request(`dev-${i % agents.length}`, `INC-FULL-${i}`));
      const answers = frames.map((f, i) => answerTo(techs[i]!, f));
      frames.forEach((f, i) => techs[i]!.send(f));
      const got = await inTime(Promise.all(answers), '20 answers on a full disk', 10_000);
      expect(got.map((m) => (m?.type === 'error' ? m.code : m?.type))).toEqual(frames.map(() => 'audit-unavailable'));
      // Not one request reached an agent (a round trip on each agent's socket flushes what was sent to it).
      for (const a of agents) await agentRoundTrip(a);
      expect(agents.flatMap((a) => a.received.filter((m) => m.type === 'session.request'))).toEqual([]);

      // Space returns: the same batch commits, and each request an agent receives is already in the chain.
      disk.free();
      const seenUnrecorded: string[] = [];
      for (const a of agents) {
        a.answer = (req) => {
          void t!.storage.queryAudit({ requestId: req.payload.requestId, kinds: ['request'] }).then((r) => r.length === 1 || seenUnrecorded.push(req.payload.requestId));
          return [decide(req, 'declined', [])];
        };
      }
      const again = techs.map((_, i) => request(`dev-${i % agents.length}`, `INC-AGAIN-${i}`));
      const decided = again.map((f, i) => answerTo(techs[i]!, f));
      again.forEach((f, i) => techs[i]!.send(f));
      expect((await inTime(Promise.all(decided), '20 decisions', 10_000)).map((m) => m?.type)).toEqual(again.map(() => 'session.decision'));
      expect(seenUnrecorded).toEqual([]);
      expect(verifyAuditChain(await t.storage.queryAudit({}))).toEqual({ ok: true });
    });
  });
});
