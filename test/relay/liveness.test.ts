// Connection liveness and per-connection bounds: silent peers, dead peers,
// too many pending requests.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { encodeFrame, newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';

let t: TestRelay;
afterEach(() => t.close());

const closeCode = (ws: WebSocket) => new Promise<number>((r) => ws.once('close', (code) => r(code)));

describe('liveness', () => {
  it('closes a connection that never says hello', async () => {
    t = await startTestRelay({ helloTimeoutMs: 100 });
    const ws = new WebSocket(t.relay.url);
    expect(await closeCode(ws)).toBe(4001);
  });

  it('terminates a peer that stops answering pings', async () => {
    t = await startTestRelay({ heartbeatSec: 1 });
    const token = await t.addTechnician('alice');
    const ws = new WebSocket(t.relay.url, { autoPong: false });
    const closed = closeCode(ws);
    ws.on('open', () => ws.send(encodeFrame({ v: 1, type: 'hello', id: 'h1', role: 'technician', token })));
    // 1006: the relay dropped the socket without a close frame (terminate).
    expect(await closed).toBe(1006);
  });

  it('keeps a peer that answers pings', async () => {
    t = await startTestRelay({ heartbeatSec: 1 });
    const r = await connectTechnician(t.relay.url, await t.addTechnician('alice'));
    if (!r.ok) throw new Error(r.detail);
    await new Promise((done) => setTimeout(done, 2500));
    expect(r.client.isOpen).toBe(true);
    await r.client.close();
  });
});

describe('bounds', () => {
  it('refuses more than the allowed pending requests of one technician', async () => {
    t = await startTestRelay({ maxPendingPerTechnician: 2 });
    await t.agent('dev-1');
    const r = await connectTechnician(t.relay.url, await t.addTechnician('alice'));
    if (!r.ok) throw new Error(r.detail);
    const seen: Message[] = [];
    r.client.onMessage((m) => seen.push(m));
    for (let i = 0; i < 3; i++) r.client.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-1', ticket: { id: `INC${i}` }, reason: 'x', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
    await r.client.waitFor((m) => (seen.length >= 3 ? m : undefined));
    expect(seen.map((m) => (m.type === 'error' ? m.code : m.type))).toEqual(['session.pending', 'session.pending', 'rate-limited']);
    await r.client.close();
  });
});
