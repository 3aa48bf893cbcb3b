import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { generateEd25519KeyPair, newMessageId, signDeviceMessage, verifyScopeRequestSignature, verifySessionRequestSignature, type Message } from '../../src/protocol/index.js';
import { verifyAuditChain } from '../../src/relay/audit/audit-record.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { acceptAndStay, connectAgent, decline } from './scripted-agent.js';

let t: TestRelay;
const clients: TechnicianClient[] = [];

beforeEach(async () => {
  t = await startTestRelay();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await t.close();
});

async function tech(id: string, opts?: Parameters<TestRelay['addTechnician']>[1]): Promise<TechnicianClient> {
  const r = await connectTechnician(t.relay.url, await t.addTechnician(id, opts));
  if (!r.ok) throw new Error(r.detail);
  clients.push(r.client);
  return r.client;
}

function request(deviceId: string, over: Partial<Message<'tech.request'>> = {}): Message<'tech.request'> {
  return { v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: 'INC100' }, reason: 'Printer queue stuck', scopes: ['view', 'control'], mode: 'attended', estimatedMinutes: 15, ...over };
}

/** An agent that accepts and keeps the session open, and a technician with a live session on it. */
async function liveSession(techId = 'alice', deviceId = 'dev-1') {
  const agent = await t.agent(deviceId);
  agent.answer = acceptAndStay();
  const client = await tech(techId);
  const started = next(client, 'session.started');
  client.send(request(deviceId));
  const { sessionId, requestId } = (await started)!;
  return { agent, client, sessionId, requestId };
}

const next = <T extends Message['type']>(c: TechnicianClient, type: T) => c.waitFor((m) => (m.type === type ? (m as Message<T>) : undefined));

/**
 * The relay handles a connection's frames in order: once it has answered a
 * probe sent last, it has handled (and answered) everything sent before it.
 * Returns the probe's id so callers can leave its reply out.
 */
async function settle(c: TechnicianClient): Promise<string> {
  const id = `probe-${newMessageId()}`;
  const reply = c.waitFor((m) => (m.type === 'error' && m.re === id ? m : undefined));
  c.send({ v: 1, type: 'session.cancel', id, requestId: 'no-such-request' });
  expect(await reply).toMatchObject({ code: 'unknown-session' });
  return id;
}

describe('agent authentication', () => {
  it('enrolls a device once with its one-time token, then accepts only the registered key', async () => {
    const key = generateEd25519KeyPair();
    const token = await t.enroll('dev-a');
    const first = await connectAgent(t.relay.url, { deviceId: 'dev-a', key, enrollmentToken: token });
    expect(first.ok).toBe(true);
    if (first.ok) await first.agent.close();
    const again = await connectAgent(t.relay.url, { deviceId: 'dev-a', key });
    expect(again.ok).toBe(true);
    if (again.ok) await again.agent.close();
    const otherKey = await connectAgent(t.relay.url, { deviceId: 'dev-a', enrollmentToken: token });
    expect(otherKey).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('refuses an enrollment token issued for another device', async () => {
    const token = await t.enroll('dev-a');
    expect(await connectAgent(t.relay.url, { deviceId: 'dev-b', enrollmentToken: token })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('refuses a replayed hello nonce and a stale hello', async () => {
    const key = generateEd25519KeyPair();
    await connectAgent(t.relay.url, { deviceId: 'dev-a', key, enrollmentToken: await t.enroll('dev-a') }).then((r) => (r.ok ? r.agent.close() : undefined));
    const nonce = 'cmVwbGF5ZWQtbm9uY2UtMDAwMQ';
    const issuedAt = new Date().toISOString();
    const first = await connectAgent(t.relay.url, { deviceId: 'dev-a', key, nonce, issuedAt });
    expect(first.ok).toBe(true);
    if (first.ok) await first.agent.close();
    expect(await connectAgent(t.relay.url, { deviceId: 'dev-a', key, nonce, issuedAt })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const stale = new Date(Date.now() - 6 * 60_000).toISOString();
    expect(await connectAgent(t.relay.url, { deviceId: 'dev-a', key, issuedAt: stale })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('refuses a technician with a wrong token', async () => {
    await t.addTechnician('alice');
    expect(await connectTechnician(t.relay.url, 'x'.repeat(43))).toMatchObject({ ok: false, code: 'unauthorized' });
  });
});

describe('routing a request', () => {
  it('stamps the verified technician, signs for the device, and routes the decision back', async () => {
    const agent = await t.agent('dev-1');
    agent.answer = decline;
    const alice = await tech('alice');
    const pending = next(alice, 'session.pending');
    const decision = next(alice, 'session.decision');
    alice.send(request('dev-1'));
    const p = (await pending)!;
    expect(p.verificationCode).toMatch(/^\d{6}$/);
    const signed = await agent.next('session.request');
    expect(verifySessionRequestSignature(signed, t.relayKey.publicKey)).toBe(true);
    expect(signed.payload).toMatchObject({ requestId: p.requestId, deviceId: 'dev-1', verificationCode: p.verificationCode, technician: { id: 'alice', name: 'Alice Tech', group: 'helpdesk' } });
    expect((await decision)!).toMatchObject({ requestId: p.requestId, outcome: 'declined' });
    const records = await t.storage.queryAudit({ ticketId: 'INC100' });
    expect(records.map((r) => r.kind)).toEqual(['request', 'decision']);
    expect(verifyAuditChain(records)).toEqual({ ok: true });
  });

  it('answers agent-offline at once when the device is not connected', async () => {
    const alice = await tech('alice');
    const err = alice.waitFor((m) => (m.type === 'error' ? m : undefined));
    const req = request('dev-missing');
    alice.send(req);
    expect(await err).toMatchObject({ code: 'agent-offline', re: req.id });
  });

  it('enforces group permissions: scopes and unattended', async () => {
    await t.agent('dev-1');
    const viewer = await tech('victor', { scopes: ['view'] });
    const errors: Message[] = [];
    viewer.onMessage((m) => m.type === 'error' && errors.push(m));
    viewer.send(request('dev-1', { scopes: ['view', 'admin'] }));
    viewer.send(request('dev-1', { scopes: ['view'], mode: 'unattended', approval: { kind: 'emergency', justification: 'ransomware spreading', incident: 'SEC-1' } }));
    const probe = await settle(viewer);
    expect(errors.filter((e) => (e as Message<'error'>).re !== probe).map((e) => (e as Message<'error'>).code)).toEqual(['forbidden', 'forbidden']);
  });

  it('lets the relay report expiry when the agent never answers', async () => {
    await t.close();
    t = await startTestRelay({ requestLifetimeMs: 100, expiryGraceMs: 0 });
    const agent = await t.agent('dev-1');
    const alice = await tech('alice');
    const decision = next(alice, 'session.decision');
    alice.send(request('dev-1'));
    const { requestId } = (await decision)!;
    expect(await decision).toMatchObject({ outcome: 'expired', decidedBy: 'timeout' });
    expect(await agent.next('session.cancel')).toMatchObject({ requestId });
  });
});

describe('isolation between technicians', () => {
  it("never lets one technician see or affect another's session", async () => {
    const agent = await t.agent('dev-1');
    agent.answer = acceptAndStay();
    const alice = await tech('alice');
    const bob = await tech('bob');
    const bobSaw: Message[] = [];
    bob.onMessage((m) => bobSaw.push(m));
    const started = next(alice, 'session.started');
    alice.send(request('dev-1'));
    const { sessionId, requestId } = (await started)!;
    const attempts: Message[] = [
      { v: 1, type: 'session.cancel', id: newMessageId(), requestId },
      { v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'hijack' },
      { v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'technician' },
      { v: 1, type: 'tech.scope-request', id: newMessageId(), sessionId, scopes: ['admin'], reason: 'more' },
      { v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId, transferId: 'x1', name: 'a.txt', size: 1, sha256: 'a'.repeat(64), direction: 'to-device' },
      { v: 1, type: 'tech.close', id: newMessageId(), ticketId: 'INC100', sessionId, outcome: 'resolved' },
    ];
    for (const a of attempts) bob.send(a);
    const probe = await settle(bob);
    const answers = bobSaw.filter((m) => !(m.type === 'error' && m.re === probe));
    expect(answers.every((m) => m.type === 'error' && m.code === 'unknown-session')).toBe(true);
    expect(answers).toHaveLength(attempts.length);
    // The agent got nothing from bob; alice's own narration still goes through.
    expect(agent.received.filter((m) => m.type !== 'session.request' && m.type !== 'welcome' && m.type !== 'session.recorded')).toEqual([]);
    alice.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'Opening the print spooler' });
    expect((await agent.next('session.narration')).text).toBe('Opening the print spooler');
  });

  it("refuses an agent's decision for another device's request", async () => {
    const a1 = await t.agent('dev-1');
    const a2 = await t.agent('dev-2');
    const alice = await tech('alice');
    alice.send(request('dev-1'));
    const req = await a1.next('session.request');
    const err = new Promise<Message>((resolve) => a2.ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Message)));
    // Even signed by dev-2's own key over the real request nonce, it is not dev-2's request to answer.
    const { requestId, nonce } = req.payload;
    const forged: Message<'session.decision'> = { v: 1, type: 'session.decision', id: newMessageId(), requestId, outcome: 'accepted', granted: ['view'], declined: [], decidedBy: 'user', decidedAt: new Date().toISOString() };
    a2.send(signDeviceMessage(forged, { deviceId: 'dev-2', requestId, nonce }, a2.key));
    expect(await err).toMatchObject({ type: 'error', code: 'unknown-session' });
  });
});

describe('live sessions', () => {
  it('turns a scope request into a freshly signed session.scope-request', async () => {
    const { agent, client: alice, sessionId, requestId } = await liveSession('alice', 'dev-1');
    alice.send({ v: 1, type: 'tech.scope-request', id: newMessageId(), sessionId, scopes: ['admin'], extendMinutes: 10, reason: 'installer needs elevation' });
    const esc = await agent.next('session.scope-request');
    expect(verifyScopeRequestSignature(esc, t.relayKey.publicKey)).toBe(true);
    expect(esc.payload).toMatchObject({ sessionId, deviceId: 'dev-1', scopes: ['admin'], extendMinutes: 10, technician: { id: 'alice' } });
    expect(esc.payload.requestId).not.toBe(requestId);
  });

  it('routes file transfers and their rule outcome, and records both', async () => {
    const { agent, client: alice, sessionId } = await liveSession('alice', 'dev-1');
    const result = next(alice, 'session.file-transfer-result');
    alice.send({ v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId, transferId: 'x1', name: 'setup.exe', size: 10, sha256: 'b'.repeat(64), direction: 'to-device', ticketId: 'INC100' });
    const ft = await agent.next('session.file-transfer');
    agent.send({ v: 1, type: 'session.file-transfer-result', id: newMessageId(), sessionId, transferId: ft.transferId, allowed: false, code: 'policy-blocked', detail: '.exe is blocked' });
    expect(await result).toMatchObject({ allowed: false, code: 'policy-blocked' });
    const kinds = (await t.storage.queryAudit({ sessionId })).map((r) => r.kind);
    expect(kinds).toEqual(expect.arrayContaining(['session-started', 'file-transfer', 'file-transfer-result']));
  });

  it("forwards the user's message to the session's technician after the central audit has it, and acknowledges it", async () => {
    const { agent, client: alice, sessionId } = await liveSession('alice', 'dev-1');
    const said = next(alice, 'session.user-message');
    const at = new Date().toISOString();
    const msg: Message<'session.user-message'> = { v: 1, type: 'session.user-message', id: newMessageId(), sessionId, text: 'It says\nprofile error', at, quick: 'question', audit: { seq: 9, hash: 'a'.repeat(64) } };
    agent.send(msg);
    expect(await said).toMatchObject({ sessionId, text: 'It says\nprofile error', at, quick: 'question' });
    await expect.poll(() => agent.received.find((m) => m.type === 'session.recorded' && m.re === msg.id)).toMatchObject({ agentSeq: 9 });
    const rec = (await t.storage.queryAudit({ sessionId })).find((r) => r.kind === 'user-message');
    expect(rec).toMatchObject({ technicianId: 'alice', deviceId: 'dev-1', data: { text: 'It says\nprofile error', at, quick: 'question', agentAudit: { seq: 9 }, deviceSig: { devicePublicKey: agent.key.publicKey } } });
  });

  it("refuses a user message for a session of another device, and hostile text, forwarding neither", async () => {
    const { client: alice, sessionId } = await liveSession('alice', 'dev-1');
    const heard: Message[] = [];
    alice.onMessage((m) => void heard.push(m));
    const other = await t.agent('dev-2');
    const refused = other.next('error');
    // Another device knows neither the session's request nor its nonce: what it signs does not bind to this session.
    other.send({ v: 1, type: 'session.user-message', id: newMessageId(), sessionId, text: 'not my session', at: new Date().toISOString() });
    expect(await refused).toMatchObject({ code: 'bad-signature' });
    const bad = other.next('error');
    // Raw bytes: the sender's own schema check would refuse to encode it.
    other.ws.send(JSON.stringify({ v: 1, type: 'session.user-message', id: newMessageId(), sessionId, text: 'evil\u202Etxt.exe', at: new Date().toISOString() }));
    expect(await bad).toMatchObject({ code: 'bad-frame' });
    // Both refusals came back, so the relay has handled both frames.
    expect(heard.filter((m) => m.type === 'session.user-message')).toEqual([]);
    expect((await t.storage.queryAudit({ sessionId })).filter((r) => r.kind === 'user-message')).toEqual([]);
  });

  it("refuses the session device's own message and answer when unsigned or signed by another key, audits the refusal, forwards neither", async () => {
    const { agent, client: alice, sessionId, requestId } = await liveSession('alice', 'dev-1');
    const heard: Message[] = [];
    alice.onMessage((m) => void heard.push(m));
    const at = new Date().toISOString();
    const said: Message<'session.user-message'> = { v: 1, type: 'session.user-message', id: newMessageId(), sessionId, text: 'unsigned words', at };
    const refusedUnsigned = agent.next('error');
    agent.sendUnsigned(said);
    expect(await refusedUnsigned).toMatchObject({ code: 'bad-signature', re: said.id });
    const forged = generateEd25519KeyPair();
    const nonce = 'bm9uY2Utb2YtYW5vdGhlcg';
    const refusedForged = agent.next('error');
    agent.send(signDeviceMessage({ ...said, id: newMessageId(), text: 'forged words' }, { deviceId: 'dev-1', requestId, nonce }, forged));
    expect(await refusedForged).toMatchObject({ code: 'bad-signature' });
    // After the summary: the answer on the fix, unsigned, then signed by another key.
    const summary = next(alice, 'session.summary');
    agent.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'user' });
    agent.send({ v: 1, type: 'session.summary', id: newMessageId(), summary: { sessionId, requestId, deviceId: 'dev-1', technician: { id: 'alice', name: 'Alice', group: 'helpdesk' }, ticket: { id: 'INC100' }, mode: 'attended', scopesGranted: ['view'], scopesUsed: ['view'], startedAt: at, endedAt: at, durationSec: 1, files: [], narrationCount: 0, endedBy: 'user' } });
    await summary;
    const answer: Message<'session.resolution'> = { v: 1, type: 'session.resolution', id: newMessageId(), sessionId, solved: true, at };
    const refusedAnswer = agent.next('error');
    agent.sendUnsigned(answer);
    expect(await refusedAnswer).toMatchObject({ code: 'bad-signature', re: answer.id });
    const refusedForgedAnswer = agent.next('error');
    agent.send(signDeviceMessage({ ...answer, id: newMessageId() }, { deviceId: 'dev-1', requestId, nonce }, forged));
    expect(await refusedForgedAnswer).toMatchObject({ code: 'bad-signature' });
    // Signed by the device's own key, but for another request than the session's: refused too.
    const misbound = signDeviceMessage({ ...answer, id: newMessageId() }, { deviceId: 'dev-1', requestId: 'req-other', nonce }, agent.key);
    const refusedMisbound = agent.next('error');
    agent.send(misbound);
    expect(await refusedMisbound).toMatchObject({ code: 'bad-signature', re: misbound.id });
    expect(heard.filter((m) => m.type === 'session.user-message' || m.type === 'session.resolution')).toEqual([]);
    const recs = await t.storage.queryAudit({ deviceId: 'dev-1' });
    expect(recs.filter((r) => r.kind === 'user-message' || r.kind === 'resolution')).toEqual([]);
    const rejected = recs.filter((r) => r.kind === 'rejected').map((r) => r.data as { action: string; code: string });
    expect(rejected).toEqual([
      expect.objectContaining({ action: 'session.user-message', code: 'bad-signature' }),
      expect.objectContaining({ action: 'session.user-message', code: 'bad-signature' }),
      expect.objectContaining({ action: 'session.resolution', code: 'bad-signature' }),
      expect.objectContaining({ action: 'session.resolution', code: 'bad-signature' }),
      expect.objectContaining({ action: 'session.resolution', code: 'bad-signature' }),
    ]);
  });

  it("after the summary, records the user's answer once, only from the session's device, and tells the still-connected technician", async () => {
    const { agent, client: alice, sessionId, requestId } = await liveSession('alice', 'dev-1');
    const summary = next(alice, 'session.summary');
    agent.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'user' });
    agent.send({ v: 1, type: 'session.summary', id: newMessageId(), summary: { sessionId, requestId, deviceId: 'dev-1', technician: { id: 'alice', name: 'Alice', group: 'helpdesk' }, ticket: { id: 'INC100' }, mode: 'attended', scopesGranted: ['view'], scopesUsed: ['view'], startedAt: new Date().toISOString(), endedAt: new Date().toISOString(), durationSec: 1, files: [], narrationCount: 0, endedBy: 'user' } });
    await summary;
    const heard = next(alice, 'session.resolution');
    const other = await t.agent('dev-2');
    const refused = other.next('error');
    // Signed by its own key for this session's request: still not the session's device.
    const foreign: Message<'session.resolution'> = { v: 1, type: 'session.resolution', id: newMessageId(), sessionId, solved: true, at: new Date().toISOString() };
    other.send(signDeviceMessage(foreign, { deviceId: 'dev-2', requestId, nonce: 'bm9uY2Utb2YtYW5vdGhlcg' }, other.key));
    expect(await refused).toMatchObject({ code: 'unknown-session' });
    const answer: Message<'session.resolution'> = { v: 1, type: 'session.resolution', id: newMessageId(), sessionId, solved: false, rating: 2, comment: 'Still no calendar', at: new Date().toISOString() };
    agent.send(answer);
    expect(await heard).toMatchObject({ sessionId, solved: false, rating: 2, comment: 'Still no calendar' });
    agent.send({ ...answer, id: newMessageId(), solved: true });
    await expect.poll(() => agent.received.find((m) => m.type === 'session.recorded' && m.duplicate === true)).toBeTruthy();
    const recs = (await t.storage.queryAudit({ sessionId, kinds: ['resolution'] }));
    expect(recs).toMatchObject([{ technicianId: 'alice', deviceId: 'dev-1', ticketId: 'INC100', data: { solved: false, rating: 2, comment: 'Still no calendar', deviceSig: { requestId, devicePublicKey: agent.key.publicKey } } }]);
    expect(verifyAuditChain(await t.storage.queryAudit({})).ok).toBe(true);
  });

  it('ends the session on the agent when the technician disconnects, and tells the technician when the agent goes', async () => {
    const { agent, client: alice } = await liveSession('alice', 'dev-1');
    await alice.close();
    expect(await agent.next('session.end')).toMatchObject({ by: 'technician' });

    const { agent: agent2, client: bob } = await liveSession('bob', 'dev-2');
    const end = next(bob, 'session.end');
    await agent2.close();
    expect(await end).toMatchObject({ by: 'agent-lost', reason: 'the device disconnected during the session' });
  });

  it('records the ticket outcome only for a technician who worked the ticket', async () => {
    const { client: alice, sessionId } = await liveSession('alice', 'dev-1');
    const closed = next(alice, 'tech.closed');
    alice.send({ v: 1, type: 'tech.close', id: newMessageId(), ticketId: 'INC100', sessionId, outcome: 'follow-up', note: 'waiting for toner' });
    expect(await closed).toMatchObject({ ticketId: 'INC100' });
    const close = (await t.storage.queryAudit({ ticketId: 'INC100', kinds: ['close'] }))[0];
    expect(close).toMatchObject({ technicianId: 'alice', sessionId, deviceId: 'dev-1', data: { outcome: 'follow-up' } });
  });

  it('tells both sides of a live session when the relay shuts down', async () => {
    const { agent, client: alice } = await liveSession('alice', 'dev-1');
    const techEnd = next(alice, 'session.end');
    const agentEnd = agent.next('session.end');
    await t.relay.close();
    expect(await techEnd).toMatchObject({ by: 'relay-lost' });
    expect(await agentEnd).toMatchObject({ by: 'relay-lost' });
  });
});

describe('hardening', () => {
  it('answers bad frames with typed errors and keeps the connection', async () => {
    const alice = await tech('alice');
    const errors: Message<'error'>[] = [];
    alice.onMessage((m) => m.type === 'error' && errors.push(m));
    const raw = (alice as unknown as { ws: WebSocket }).ws;
    raw.send('not json');
    raw.send(JSON.stringify({ v: 2, type: 'tech.request', id: 'x' }));
    raw.send(JSON.stringify({ v: 1, type: 'launch', id: 'x' }));
    raw.send(JSON.stringify({ v: 1, type: 'session.decision', id: 'x' }));
    await alice.waitFor((m) => (errors.length >= 4 ? m : undefined));
    expect(errors.map((e) => e.code)).toEqual(['bad-frame', 'bad-version', 'unknown-type', 'unexpected-type']);
    expect(alice.isOpen).toBe(true);
  });

  it('rate-limits a flooding peer and then disconnects it', async () => {
    await t.close();
    t = await startTestRelay({ rateLimit: { perSecond: 1, burst: 5, abuseThreshold: 20 } });
    const alice = await tech('alice');
    const codes: string[] = [];
    alice.onMessage((m) => m.type === 'error' && codes.push(m.code));
    const closed = new Promise<void>((r) => alice.onClose(r));
    const raw = (alice as unknown as { ws: WebSocket }).ws;
    for (let i = 0; i < 100; i++) raw.send('{}');
    await closed;
    expect(codes).toContain('rate-limited');
  });

  it('closes a connection whose first frame is not a hello', async () => {
    const ws = new WebSocket(t.relay.url);
    const first = new Promise<string>((r) => ws.once('message', (d) => r(d.toString())));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.on('open', () => ws.send(JSON.stringify({ v: 1, type: 'tech.request', id: 'x1' })));
    expect(JSON.parse(await first)).toMatchObject({ type: 'error', code: 'unexpected-type' });
    expect(await closed).toBe(4001);
  });
});
