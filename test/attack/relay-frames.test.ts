// Attack suite, relay side: malformed and oversize frames from technicians,
// agents and unauthenticated sockets against the real relay.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ERROR_CODES, MAX_FRAME_BYTES, type Message } from '../../src/protocol/index.js';
import { connectTechnician } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';

let t: TestRelay;
afterEach(async () => t?.close());

function rawSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

const MALFORMED = ['not json', '{}', '[]', 'null', '1e999', JSON.stringify({ v: 2, type: 'tech.request', id: 'x-ver' }), JSON.stringify({ v: 1, type: 'launch.missiles', id: 'x-type' }), JSON.stringify({ v: 1, type: 'tech.request', id: 'x-shape', deviceId: '../../etc' }), JSON.stringify({ v: 1, type: 'session.decision', id: 'x-role', requestId: 'r', outcome: 'accepted', granted: ['admin'], declined: [], decidedBy: 'user', decidedAt: '2026-11-24T10:00:00.000Z' }), JSON.stringify({ v: 1, type: 'session.cancel', id: 'x-extra', requestId: 'r', admin: true })];

describe('attack: oversize and malformed frames to the relay', () => {
  it('malformed frames to the relay get typed errors and the connection survives', async () => {
    t = await startTestRelay();
    const tech = await connectTechnician(t.relay.url, await t.addTechnician('alice'));
    if (!tech.ok) throw new Error(tech.detail);
    const errors: Message<'error'>[] = [];
    tech.client.onMessage((m) => m.type === 'error' && errors.push(m));
    const raw = (tech.client as unknown as { ws: WebSocket }).ws;
    for (const f of MALFORMED) raw.send(f);
    await tech.client.waitFor((m) => (errors.length >= MALFORMED.length ? m : undefined));
    for (const e of errors) expect(ERROR_CODES).toContain(e.code);
    expect(errors.map((e) => e.re)).toEqual(expect.arrayContaining(['x-ver', 'x-type', 'x-shape', 'x-role', 'x-extra']));
    expect(tech.client.isOpen).toBe(true);
    await tech.client.close();
  });

  it('oversize frame to the relay closes that socket (1009) and the relay keeps serving', async () => {
    t = await startTestRelay();
    const agent = await t.agent('dev-big');
    const closed = new Promise<number>((r) => agent.ws.once('close', (code) => r(code)));
    agent.ws.send(JSON.stringify({ v: 1, type: 'session.end', id: 'big', sessionId: 's', by: 'user', reason: 'x'.repeat(MAX_FRAME_BYTES) }));
    expect(await closed).toBe(1009);
    const ws = await rawSocket(t.relay.url);
    const gone = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(Buffer.alloc(MAX_FRAME_BYTES + 1, 0x7b));
    expect(await gone).toBe(1009);
    const ok = await connectTechnician(t.relay.url, await t.addTechnician('bob'));
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      ok.client.send({ v: 1, type: 'session.cancel', id: 'after-1', requestId: 'none' });
      expect(await ok.client.waitFor((m) => (m.type === 'error' ? m : undefined))).toMatchObject({ code: 'unknown-session', re: 'after-1' });
      await ok.client.close();
    }
  });
});
