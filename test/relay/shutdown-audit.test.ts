// A relay that stops with sessions live writes each session's end to the
// central audit (by `relay-shutdown`) before close() resolves, so the record
// is on disk before the process exits; both sides still hear `relay-lost`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { verifyAuditChain } from '../../src/relay/audit/audit-record.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndStay } from './scripted-agent.js';

let dir: string;
let t: TestRelay;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porchlight-shutdown-'));
  t = await startTestRelay({}, { path: join(dir, 'relay.db') });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const next = <T extends Message['type']>(c: TechnicianClient, type: T) => c.waitFor((m) => (m.type === type ? (m as Message<T>) : undefined));

function request(deviceId: string, ticketId: string): Message<'tech.request'> {
  return { v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ticketId }, reason: 'Printer queue stuck', scopes: ['view'], mode: 'attended', estimatedMinutes: 15 };
}

async function liveSession(techId: string, deviceId: string, ticketId: string) {
  const agent = await t.agent(deviceId);
  agent.answer = acceptAndStay();
  const client = await t.technician(techId);
  const started = next(client, 'session.started');
  client.send(request(deviceId, ticketId));
  const { sessionId } = (await started)!;
  return { agent, client, sessionId };
}

it('audits every session a relay shutdown ends as ended by relay-shutdown, before close() resolves', async () => {
  const a = await liveSession('alice', 'dev-1', 'INC1');
  const b = await liveSession('bob', 'dev-2', 'INC2');
  const silent = await t.agent('dev-3');
  const carol = await t.technician('carol');
  const pending = next(carol, 'session.pending');
  carol.send(request('dev-3', 'INC3'));
  const { requestId } = (await pending)!;
  const ends = [next(a.client, 'session.end'), a.agent.next('session.end'), next(b.client, 'session.end'), b.agent.next('session.end')];
  const carolError = next(carol, 'error');
  const cancel = silent.next('session.cancel');

  await t.relay.close();
  await t.storage.close();

  // What both sides heard is unchanged.
  for (const end of await Promise.all(ends)) expect(end).toMatchObject({ by: 'relay-lost', reason: 'the relay is shutting down' });
  expect(await carolError).toMatchObject({ code: 'agent-offline' });
  expect(await cancel).toMatchObject({ requestId });

  // The database as the next relay process would open it.
  const reopened = new SqliteStorage(join(dir, 'relay.db'));
  try {
    for (const { sessionId } of [a, b]) {
      const recorded = await reopened.queryAudit({ sessionId, kinds: ['session-end'] });
      expect(recorded.map((r) => r.data)).toEqual([{ by: 'relay-shutdown', reason: 'the relay is shutting down' }]);
    }
    const failed = await reopened.queryAudit({ ticketId: 'INC3', kinds: ['rejected'] });
    expect(failed.map((r) => r.data)).toEqual([{ action: 'decision', code: 'agent-offline', detail: 'the relay is shutting down' }]);
    expect(verifyAuditChain(await reopened.queryAudit({}))).toMatchObject({ ok: true });
  } finally {
    await reopened.close();
  }
});
