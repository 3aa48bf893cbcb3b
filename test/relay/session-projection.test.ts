import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { projectSessions } from '../../src/relay/audit/session-projection.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndStay, decline } from './scripted-agent.js';

let t: TestRelay;
let alice: TechnicianClient;
beforeEach(async () => {
  t = await startTestRelay();
  alice = await t.technician('alice');
});
afterEach(() => t.close());

const next = <T extends Message['type']>(type: T) => alice.waitFor((m) => (m.type === type ? (m as Message<T>) : undefined));
const ask = (ticket: string, deviceId = 'dev-1'): Message<'tech.request'> => ({ v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ticket }, reason: 'r', scopes: ['view', 'file-transfer'], mode: 'attended', estimatedMinutes: 10 });

describe('projectSessions', () => {
  it('folds a ticket\'s records into one row per request with decision, session, files and close outcome', async () => {
    const agent = await t.agent('dev-1');
    agent.answer = decline;
    const declined = next('session.decision');
    alice.send(ask('INC5'));
    await declined;

    agent.answer = acceptAndStay();
    const started = next('session.started');
    alice.send(ask('INC5'));
    const { sessionId } = (await started)!;
    const result = next('session.file-transfer-result');
    alice.send({ v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId, transferId: 'f1', name: 'diag.zip', size: 42, sha256: 'c'.repeat(64), direction: 'from-device' });
    const ft = await agent.next('session.file-transfer');
    agent.send({ v: 1, type: 'session.file-transfer-result', id: newMessageId(), sessionId, transferId: ft.transferId, allowed: true });
    await result;
    const ended = next('session.end');
    agent.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'user' });
    await ended;
    const closed = next('tech.closed');
    alice.send({ v: 1, type: 'tech.close', id: newMessageId(), ticketId: 'INC5', outcome: 'resolved' });
    await closed;

    const rows = projectSessions(await t.storage.queryAudit({ ticketId: 'INC5' }));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ outcome: 'declined', sessionId: null, closeOutcome: null, mode: 'attended', technicianId: 'alice', deviceId: 'dev-1' });
    expect(rows[1]).toMatchObject({
      outcome: 'accepted',
      granted: ['view', 'file-transfer'],
      sessionId,
      endedBy: 'user',
      closeOutcome: 'resolved',
      files: [expect.objectContaining({ name: 'diag.zip', sha256: 'c'.repeat(64), allowed: true })],
    });
    expect(rows[1]!.startedAt).not.toBeNull();
    expect(rows[1]!.decidedAt! >= rows[1]!.requestedAt).toBe(true);
  });
});
