// A peer that stops reading must not grow the relay's memory without bound:
// once its unsent frames pass the cap it is dropped with close code 4008 and
// a `disconnect` record in the central audit. The stuck reader is a real
// socket whose underlying net socket is paused.
import { afterEach, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { CLOSE } from '../../src/relay/relay-constants.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndStay } from './scripted-agent.js';

const CAP = 256 * 1024;
/** Far more than the cap plus what loopback kernel buffers absorb. */
const GIVE_UP_AFTER_BYTES = 64 * 1024 * 1024;
const generous = { perSecond: 1_000_000, burst: 1_000_000, abuseThreshold: 1_000_000 };

let t: TestRelay;
const clients: TechnicianClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t.close();
});

async function technician(id: string): Promise<TechnicianClient> {
  const r = await connectTechnician(t.relay.url, await t.addTechnician(id));
  if (!r.ok) throw new Error(r.detail);
  clients.push(r.client);
  return r.client;
}

/** Every frame before a barrier has been handled once the barrier's error reply arrives (one connection is handled in order). */
async function barrier(c: TechnicianClient): Promise<void> {
  const id = newMessageId();
  const reply = c.waitFor((m) => (m.type === 'error' && m.re === id ? m : undefined));
  c.send({ v: 1, type: 'session.cancel', id, requestId: 'no-such-request' });
  await reply;
}

describe('slow consumer', () => {
  it('drops an agent that stopped reading, with close code 4008 and an audit record', async () => {
    t = await startTestRelay({ maxBufferedBytes: CAP, rateLimit: generous });
    const agent = await t.agent('dev-1');
    agent.answer = acceptAndStay();
    const c = await technician('alice');
    const started = c.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    c.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-1', ticket: { id: 'INC9' }, reason: 'Printer', scopes: ['view'], mode: 'attended', estimatedMinutes: 30 });
    const { sessionId } = (await started)!;

    const agentClosed = new Promise<number>((r) => agent.ws.once('close', (code) => r(code)));
    agent.ws.pause(); // the agent's net socket stops reading; the kernel buffers fill, then the relay's
    const ended = c.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    let endSeen: Message | null = null;
    void ended.then((m) => (endSeen = m));

    // Narration: 1000 three-byte characters, ~3 KB per frame to the agent.
    const text = '€'.repeat(1000);
    let sent = 0;
    while (!endSeen && sent < GIVE_UP_AFTER_BYTES) {
      for (let i = 0; i < 100; i++) c.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text });
      sent += 100 * 3000;
      await barrier(c);
    }
    expect(await ended).toMatchObject({ sessionId, by: 'agent-lost' });
    expect(t.relay.router.isOnline('dev-1')).toBe(false);

    const [record] = await t.storage.queryAudit({ deviceId: 'dev-1', kinds: ['disconnect'] });
    expect(record?.data).toMatchObject({ reason: 'slow-consumer', role: 'agent', closeCode: CLOSE.slowConsumer, limitBytes: CAP });
    const data = record!.data as { bufferedBytes: number };
    expect(data.bufferedBytes).toBeGreaterThan(CAP);
    // Bounded: the relay stopped queueing for it just past the cap (one frame over at most).
    expect(data.bufferedBytes).toBeLessThan(CAP + 64 * 1024);

    // If the stuck peer ever reads on, the close code is waiting for it behind the queued frames.
    agent.ws.resume();
    expect(await agentClosed).toBe(CLOSE.slowConsumer);
  });

  it('drops a technician that stopped reading', async () => {
    t = await startTestRelay({ maxBufferedBytes: CAP, rateLimit: generous });
    const agent = await t.agent('dev-1');
    agent.answer = acceptAndStay();
    const stuck = await technician('bob');
    const started = stuck.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    stuck.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-1', ticket: { id: 'INC9' }, reason: 'Printer', scopes: ['view', 'file-transfer'], mode: 'attended', estimatedMinutes: 30 });
    const { sessionId } = (await started)!;
    const raw = (stuck as unknown as { ws: WebSocket }).ws;
    const closed = new Promise<number>((r) => raw.once('close', (code) => r(code)));
    raw.pause();

    // The agent answers transfers the technician never reads (~1 KB each).
    const detail = '€'.repeat(300);
    // The loop below is bounded by GIVE_UP_AFTER_BYTES; on a busy machine filling the buffers takes a while.
    const agentEnd = agent.next('session.end', 60_000);
    let ended: Message | null = null;
    void agentEnd.then((m) => (ended = m));
    let sent = 0;
    while (!ended && sent < GIVE_UP_AFTER_BYTES) {
      for (let i = 0; i < 100; i++) agent.send({ v: 1, type: 'session.file-transfer-result', id: newMessageId(), sessionId, transferId: `tr-${sent}-${i}`, allowed: false, code: 'policy-blocked', detail });
      sent += 100 * 1000;
      // Barrier: a frame the relay refuses; its error comes back after everything before it was handled.
      agent.send({ v: 1, type: 'tech.close', id: newMessageId(), ticketId: 'INC9', outcome: 'resolved' });
      await agent.next('error');
    }
    // The relay released the session on the agent's side at once.
    expect(await agentEnd).toMatchObject({ sessionId, by: 'technician' });
    const [record] = await t.storage.queryAudit({ technicianId: 'bob', kinds: ['disconnect'] });
    expect(record?.data).toMatchObject({ reason: 'slow-consumer', role: 'technician', closeCode: CLOSE.slowConsumer, limitBytes: CAP });
    raw.resume();
    expect(await closed).toBe(CLOSE.slowConsumer);
  });
});
