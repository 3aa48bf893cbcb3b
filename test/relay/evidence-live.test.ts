// An evidence bundle from records a real relay wrote: a technician works two
// tickets on two devices at once (interleaved in the chain), transfers a file
// and closes with an outcome; the bundle of one ticket verifies offline
// against the pinned relay key and says nothing about the other.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { buildEvidenceBundle } from '../../src/relay/evidence/build-bundle.js';
import { verifyEvidenceBundle } from '../../src/relay/evidence/verify-bundle.js';
import type { TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndStay } from './scripted-agent.js';

let t: TestRelay;
let alice: TechnicianClient;
beforeEach(async () => {
  t = await startTestRelay();
  alice = await t.technician('alice');
});
afterEach(() => t.close());

const next = <T extends Message['type']>(type: T, pick: (m: Message<T>) => boolean = () => true) => alice.waitFor((m) => (m.type === type && pick(m as Message<T>) ? (m as Message<T>) : undefined));
const ask = (ticket: string, deviceId: string): Message<'tech.request'> => ({ v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ticket }, reason: `Help with ${ticket}`, scopes: ['view', 'file-transfer'], mode: 'attended', estimatedMinutes: 10 });

describe('evidence from a live relay', () => {
  it('proves one ticket\'s records while another ticket\'s records sit between them', async () => {
    const one = await t.agent('dev-1');
    const two = await t.agent('dev-2');
    one.answer = acceptAndStay();
    two.answer = acceptAndStay();

    const started1 = next('session.started', (m) => m.sessionId.length > 0);
    alice.send(ask('INC-1', 'dev-1'));
    const s1 = (await started1)!.sessionId;
    const started2 = next('session.started', (m) => m.sessionId !== s1);
    alice.send(ask('INC-SECRET', 'dev-2'));
    const s2 = (await started2)!.sessionId;

    const result = next('session.file-transfer-result');
    alice.send({ v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId: s1, transferId: 'f1', name: 'diag.zip', size: 42, sha256: 'c'.repeat(64), direction: 'from-device' });
    const ft = await one.next('session.file-transfer');
    one.send({ v: 1, type: 'session.file-transfer-result', id: newMessageId(), sessionId: s1, transferId: ft.transferId, allowed: true });
    await result;
    alice.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId: s2, text: 'Opening the secret payroll share' });
    await two.next('session.narration');

    for (const [agent, sessionId] of [[one, s1], [two, s2]] as const) {
      const ended = next('session.end', (m) => m.sessionId === sessionId);
      agent.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'user' });
      await ended;
    }
    const closed = next('tech.closed');
    alice.send({ v: 1, type: 'tech.close', id: newMessageId(), ticketId: 'INC-1', sessionId: s1, outcome: 'resolved' });
    await closed;

    const bundle = await buildEvidenceBundle({ storage: t.storage, relayKey: t.relayKey, ticketId: 'INC-1', nowMs: Date.now(), generator: 'test' });
    expect(verifyEvidenceBundle(bundle, t.relayKey.publicKey)).toMatchObject({ ok: true, problems: [] });
    expect(bundle.relay.records.map((r) => (r as { kind: string }).kind)).toEqual(expect.arrayContaining(['request', 'decision', 'session-started', 'file-transfer', 'file-transfer-result', 'session-end', 'close']));
    expect(bundle.relay.chain.length).toBeGreaterThan(bundle.relay.records.length);
    expect(bundle.fileTransfers).toEqual([expect.objectContaining({ name: 'diag.zip', sha256: 'c'.repeat(64), allowed: true, sessionId: s1 })]);
    expect(bundle.sessions).toEqual([expect.objectContaining({ sessionId: s1, closeOutcome: 'resolved', endedBy: 'user' })]);
    const text = JSON.stringify(bundle);
    for (const secret of ['INC-SECRET', 'dev-2', 'payroll', s2]) expect(text).not.toContain(secret);
  });
});
