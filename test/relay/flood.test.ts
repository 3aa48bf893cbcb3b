// The relay survives a flood of arbitrary frames (fast-check, fixed seed) from
// raw ws clients in every connection state, then still routes a real request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import WebSocket from 'ws';
import { encodeFrame, newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';
import { sampleMessages } from '../fixtures/sample-messages.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { connectAgent, decline } from './scripted-agent.js';

let t: TestRelay;
beforeAll(async () => {
  t = await startTestRelay({ rateLimit: { perSecond: 1e6, burst: 1e6, abuseThreshold: 1e6 } });
});
afterAll(() => t.close());

const samples = Object.values(sampleMessages()) as Message[];

/** Arbitrary text, arbitrary JSON, and valid messages with one field broken or replaced. */
const arbitraryFrame: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc.tuple(fc.constantFrom(...samples), fc.string({ maxLength: 20 }), fc.jsonValue({ maxDepth: 2 })).map(([m, key, value]) => JSON.stringify({ ...m, [key]: value })),
  fc.tuple(fc.constantFrom(...samples), fc.constantFrom('v', 'type', 'id', 'sessionId', 'requestId', 'scopes', 'deviceId'), fc.jsonValue({ maxDepth: 2 })).map(([m, key, value]) => JSON.stringify({ ...m, [key]: value })),
  fc.constantFrom(...samples).map((m) => JSON.stringify(m)),
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
);

function openRaw(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(t.relay.url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** Send frames in batches; a probe after each batch proves the relay processed all of it. */
async function flood(ws: WebSocket, frames: Array<string | Buffer>): Promise<void> {
  let probe = 0;
  const replies = new Set<string>();
  ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as { re?: string };
    if (m.re?.startsWith('probe-')) replies.add(m.re);
  });
  for (let i = 0; i < frames.length; i += 100) {
    for (const f of frames.slice(i, i + 100)) ws.send(f);
    const id = `probe-${++probe}`;
    ws.send(encodeFrame({ v: 1, type: 'session.cancel', id, requestId: 'no-such-request' }));
    const until = Date.now() + 10_000;
    while (!replies.has(id) && ws.readyState === WebSocket.OPEN && Date.now() < until) await new Promise((r) => setTimeout(r, 2));
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(replies.has(id)).toBe(true);
  }
}

describe('relay under a flood of arbitrary frames', () => {
  it('answers 10,000 arbitrary technician frames without dying, then routes a real request', async () => {
    const token = await t.addTechnician('flood');
    const ws = await openRaw();
    const welcome = new Promise((r) => ws.once('message', r));
    ws.send(encodeFrame({ v: 1, type: 'hello', id: 'h1', role: 'technician', token }));
    await welcome;
    await flood(ws, fc.sample(arbitraryFrame, { numRuns: 10_000, seed: 4242 }));
    ws.close();

    // Agent side too: an authenticated agent floods 2,000 frames.
    const agentConn = await connectAgent(t.relay.url, { deviceId: 'dev-flood', enrollmentToken: await t.enroll('dev-flood') });
    if (!agentConn.ok) throw new Error('flood agent did not connect');
    const agentFrames = fc.sample(arbitraryFrame, { numRuns: 2_000, seed: 4343 });
    for (const f of agentFrames) agentConn.agent.ws.send(f);
    await agentConn.agent.close();

    // Unauthenticated: 100 connections whose first frame is arbitrary get an error and are closed.
    for (const f of fc.sample(arbitraryFrame, { numRuns: 100, seed: 4444 })) {
      const raw = await openRaw();
      const closed = new Promise((r) => raw.once('close', r));
      raw.send(f);
      await closed;
    }

    const agent = await t.agent('dev-real');
    agent.answer = decline;
    const tech = await connectTechnician(t.relay.url, await t.addTechnician('after'));
    if (!tech.ok) throw new Error(tech.detail);
    const decision = tech.client.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    tech.client.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-real', ticket: { id: 'INC-AFTER' }, reason: 'after the flood', scopes: ['view'], mode: 'attended', estimatedMinutes: 5 });
    expect(await decision).toMatchObject({ outcome: 'declined' });
    await tech.client.close();
  }, 120_000);

  it('closes a connection that sends a frame over 64 KiB and keeps serving others', async () => {
    const ws = await openRaw();
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('x'.repeat(64 * 1024 + 1));
    expect(await closed).toBe(1009);
    const ok = await connectTechnician(t.relay.url, await t.addTechnician('still'));
    expect(ok.ok).toBe(true);
    if (ok.ok) await ok.client.close();
  });
});
