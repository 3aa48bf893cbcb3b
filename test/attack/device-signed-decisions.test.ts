// Device-signed decisions (issue 17): the real agent signs what it reports with
// its device key; the relay forwards only signatures that verify against the
// enrolled key, and refuses and audits a broken one.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import {
  generateEd25519KeyPair,
  keyFingerprint,
  newMessageId,
  signDeviceMessage,
  verifyDeviceMessage,
  type Message,
} from '../../src/protocol/index.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { connectAgent, decide } from '../relay/scripted-agent.js';
import { grantingUi } from '../support/granting-ui.js';

let t: TestRelay | undefined;
let agent: Agent | undefined;
let tech: TechnicianClient | undefined;
afterEach(async () => {
  await tech?.close();
  await agent?.stop();
  await t?.close();
  t = agent = tech = undefined;
});

const ask = (deviceId: string): Message<'tech.request'> => ({
  v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: 'INC-SIG' }, reason: 'Printer', scopes: ['view'], mode: 'attended', estimatedMinutes: 5,
});

async function technician(): Promise<TechnicianClient> {
  const r = await connectTechnician(t!.relay.url, await t!.addTechnician('alice'));
  if (!r.ok) throw new Error(r.detail);
  tech = r.client;
  return r.client;
}

describe('device-signed agent messages', () => {
  it('the real agent signs its decision and session start; the technician verifies them with the enrolled key', async () => {
    t = await startTestRelay();
    const dataDir = mkdtempSync(join(tmpdir(), 'pl-sig-agent-'));
    agent = createAgent({
      deviceId: 'dev-sig',
      ui: grantingUi,
      dataDir,
      enrollmentToken: await t.enroll('dev-sig'),
      policy: { ...DEFAULT_POLICY, relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey },
    });
    await agent.start();
    for (let i = 0; i < 300 && !t.relay.router.isOnline('dev-sig'); i++) await new Promise((r) => setTimeout(r, 10));
    const c = await technician();
    const keyAnswer = c.waitFor((m) => (m.type === 'device.key' ? m : undefined));
    c.send({ v: 1, type: 'tech.device-key', id: newMessageId(), deviceId: 'dev-sig' });
    const key = (await keyAnswer)!;
    const decision = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    const started = c.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    c.send(ask('dev-sig'));
    const d = (await decision)!;
    expect(d.outcome).toBe('accepted');
    const expectation = { deviceId: 'dev-sig', devicePublicKey: key.publicKey, requestId: d.requestId };
    expect(verifyDeviceMessage(d, expectation)).toEqual({ ok: true, deviceKeyFingerprint: keyFingerprint(key.publicKey) });
    expect(verifyDeviceMessage((await started)!, expectation).ok).toBe(true);
    // The relay could not have made that signature: a relay-made decision would carry none.
    expect(verifyDeviceMessage({ ...d, deviceSig: undefined }, expectation)).toMatchObject({ ok: false, reason: 'unsigned' });
  });

  it('the relay refuses and audits a decision whose device signature is broken; the technician never sees it', async () => {
    t = await startTestRelay({ requestLifetimeMs: 1000, expiryGraceMs: 100 });
    const key = generateEd25519KeyPair();
    const conn = await connectAgent(t.relay.url, { deviceId: 'dev-forge', key, enrollmentToken: await t.enroll('dev-forge') });
    if (!conn.ok) throw new Error('agent did not connect');
    const errors: Message[] = [];
    conn.agent.answer = (req) => {
      const signed = signDeviceMessage(decide(req, 'declined', []), { deviceId: 'dev-forge', requestId: req.payload.requestId, nonce: req.payload.nonce }, key);
      // Turned into an acceptance after signing: the device never said that.
      return [{ ...signed, outcome: 'accepted', granted: req.payload.scopes, declined: [] }];
    };
    conn.agent.ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as Message;
      if (m.type === 'error') errors.push(m);
    });
    const c = await technician();
    const seen = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    c.send(ask('dev-forge'));
    // The technician's only decision is the relay's own expiry, never the forged acceptance.
    expect(await seen).toMatchObject({ outcome: 'expired', decidedBy: 'timeout' });
    expect(errors).toEqual([expect.objectContaining({ code: 'bad-signature' })]);
    const rejected = (await t.storage.queryAudit({ deviceId: 'dev-forge', kinds: ['rejected'] })).map((r) => r.data);
    expect(rejected).toEqual([expect.objectContaining({ action: 'session.decision', code: 'bad-signature' })]);
    await conn.agent.close();
  });
});

/** A scripted agent for `deviceId` whose answers the test writes; returns what the technician and the agent saw. */
async function forgingAgent(deviceId: string, answer: (req: Message<'session.request'>, send: (m: Message) => void) => void) {
  const key = generateEd25519KeyPair();
  const conn = await connectAgent(t!.relay.url, { deviceId, key, enrollmentToken: await t!.enroll(deviceId) });
  if (!conn.ok) throw new Error('agent did not connect');
  const errors: Message[] = [];
  conn.agent.answer = (req) => {
    answer(req, (m) => conn.agent.sendUnsigned(m));
    return [];
  };
  conn.agent.ws.on('message', (d) => {
    const m = JSON.parse(d.toString()) as Message;
    if (m.type === 'error') errors.push(m);
  });
  return { key, agent: conn.agent, errors };
}

async function refusedDecision(deviceId: string, reason: RegExp): Promise<void> {
  const c = tech ?? (await technician());
  const seen = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
  c.send(ask(deviceId));
  expect(await seen).toMatchObject({ outcome: 'expired', decidedBy: 'timeout' });
  const rejected = (await t!.storage.queryAudit({ deviceId, kinds: ['rejected'] })).map((r) => r.data);
  expect(rejected).toEqual([expect.objectContaining({ action: 'session.decision', code: 'bad-signature', detail: expect.stringMatching(reason) })]);
}

describe('the relay forwards no decision the enrolled device did not sign for that request', () => {
  it('refuses a decision with its signature stripped', async () => {
    t = await startTestRelay({ requestLifetimeMs: 1000, expiryGraceMs: 100 });
    const f = await forgingAgent('dev-strip', (req, send) => send(decide(req, 'accepted', req.payload.scopes)));
    await refusedDecision('dev-strip', /carries no device signature/);
    expect(f.errors).toEqual([expect.objectContaining({ code: 'bad-signature' })]);
    await f.agent.close();
  });

  it("refuses a decision signed by another device's key", async () => {
    t = await startTestRelay({ requestLifetimeMs: 1000, expiryGraceMs: 100 });
    const other = generateEd25519KeyPair();
    const f = await forgingAgent('dev-victim', (req, send) => {
      const binding = { deviceId: 'dev-victim', requestId: req.payload.requestId, nonce: req.payload.nonce };
      send(signDeviceMessage(decide(req, 'accepted', req.payload.scopes), binding, other));
    });
    await refusedDecision('dev-victim', /does not verify against the enrolled key/);
    await f.agent.close();
  });

  it('refuses a signed acceptance replayed as the answer to a later request', async () => {
    t = await startTestRelay({ requestLifetimeMs: 1000, expiryGraceMs: 100 });
    let captured: Message<'session.decision'> | undefined;
    const f = await forgingAgent('dev-replay', (req, send) => {
      const binding = { deviceId: 'dev-replay', requestId: req.payload.requestId, nonce: req.payload.nonce };
      if (!captured) {
        // The user accepts the first request; the attacker records the signed frame (and declines nothing).
        captured = signDeviceMessage(decide(req, 'accepted', req.payload.scopes), binding, f.key);
        return send(captured);
      }
      // Later: the recorded acceptance, pointed at the new request, with its signature as recorded ...
      send({ ...captured, id: newMessageId(), requestId: req.payload.requestId });
      // ... and with the new request's id and nonce pasted into the signature.
      const { requestId, nonce } = req.payload;
      send({ ...captured, id: newMessageId(), requestId, deviceSig: { ...captured.deviceSig!, requestId, nonce } });
    });
    const c = await technician();
    const first = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    c.send(ask('dev-replay'));
    expect(await first).toMatchObject({ outcome: 'accepted' });
    const second = c.waitFor((m) => (m.type === 'session.decision' && m.requestId !== captured?.requestId ? m : undefined));
    c.send(ask('dev-replay'));
    expect(await second).toMatchObject({ outcome: 'expired', decidedBy: 'timeout' });
    const rejected = (await t.storage.queryAudit({ deviceId: 'dev-replay', kinds: ['rejected'] })).map((r) => (r.data as { detail?: string }).detail);
    expect(rejected).toEqual([
      expect.stringMatching(/is signed for request .*, not /),
      expect.stringMatching(/does not verify against the enrolled key/),
    ]);
    await f.agent.close();
  });

  it('refuses and audits a decision for the victim\'s request sent over another device\'s connection', async () => {
    t = await startTestRelay({ requestLifetimeMs: 1000, expiryGraceMs: 100 });
    // The victim is online and never answers; the forger is another enrolled device that sees the request id.
    const victim = await connectAgent(t.relay.url, { deviceId: 'dev-victim', enrollmentToken: await t.enroll('dev-victim') });
    if (!victim.ok) throw new Error('victim did not connect');
    const forgerKey = generateEd25519KeyPair();
    const forger = await connectAgent(t.relay.url, { deviceId: 'dev-mallory', key: forgerKey, enrollmentToken: await t.enroll('dev-mallory') });
    if (!forger.ok) throw new Error('forger did not connect');
    const c = await technician();
    const seen = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    const pending = c.waitFor((m) => (m.type === 'session.pending' ? m : undefined));
    c.send(ask('dev-victim'));
    const { requestId } = (await pending)!;
    const forged = (nonce: string) => signDeviceMessage({ ...decide({ payload: { requestId, scopes: ['view'] } } as never, 'accepted', ['view']) }, { deviceId: 'dev-mallory', requestId, nonce }, forgerKey);
    forger.agent.sendUnsigned(forged('bm90LXRoZS1yZXF1ZXN0LW5vbmNl'));
    forger.agent.sendUnsigned({ ...forged('bm90LXRoZS1yZXF1ZXN0LW5vbmNl'), deviceSig: undefined });
    expect(await seen).toMatchObject({ outcome: 'expired', decidedBy: 'timeout' });
    const rejected = (await t.storage.queryAudit({ deviceId: 'dev-mallory', kinds: ['rejected'] })).map((r) => r.data);
    expect(rejected).toEqual([
      expect.objectContaining({ action: 'session.decision', code: 'bad-signature', detail: expect.stringMatching(/signed over another request nonce/) }),
      expect.objectContaining({ action: 'session.decision', code: 'bad-signature', detail: expect.stringMatching(/carries no device signature/) }),
    ]);
    await forger.agent.close();
    await victim.agent.close();
  });
});
