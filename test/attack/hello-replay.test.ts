// Replaying a device's sign-in (issue 17). A man in the middle records the
// real agent's hello; it is worthless on any other connection: while the
// agent is online, after a flood of junk hellos, after a relay restart, with
// the challenge rewritten, or (over TLS) relayed onto another channel.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import type { UiPort } from '../../src/core/ui-port.js';
import { encodeFrame, generateEd25519KeyPair, parseFrame, type Message } from '../../src/protocol/index.js';
import { CLOSE } from '../../src/relay/relay-constants.js';
import { hashSecretToken, newSecretToken } from '../../src/relay/secret-token.js';
import { startRelay, type RelayOptions, type RelayServer } from '../../src/relay/server.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { connectAgent, openAgentSocket, sendAndAwaitAnswer } from '../relay/scripted-agent.js';
import { hasOpenssl, selfSigned } from '../relay/self-signed-cert.js';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.js';

const relayKey = generateEd25519KeyPair();
const DEVICE = 'dev-victim';
const silentUi: UiPort = {
  setStatus: () => undefined,
  showConsent: async (view) => ({ kind: 'decision', promptId: view.promptId, granted: [] }),
  showBanner: () => undefined,
  hideBanner: () => undefined,
  showSummary: () => undefined,
  notify: () => undefined,
};

let relay: RelayServer | undefined;
let storage: SqliteStorage | undefined;
let proxy: RecordingProxy | undefined;
let agent: Agent | undefined;

afterEach(async () => {
  await agent?.stop();
  await proxy?.close();
  await relay?.close();
  await storage?.close();
  agent = proxy = relay = storage = undefined;
});

async function until(what: string, ok: () => boolean, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function enroll(deviceId: string): Promise<string> {
  const token = newSecretToken();
  await storage!.addEnrollment({ deviceId, tokenHash: hashSecretToken(token), createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3600_000).toISOString() });
  return token;
}

/** A relay on a database file (so it can restart), the real agent signed in through a recording proxy. */
async function victimOnline(opts: Partial<RelayOptions> = {}): Promise<{ captured: Message<'hello'>; dbFile: string }> {
  const dbFile = join(mkdtempSync(join(tmpdir(), 'pl-replay-')), 'relay.db');
  storage = new SqliteStorage(dbFile);
  relay = await startRelay({ storage, relayKey, port: 0, ...opts });
  proxy = await startRecordingProxy(() => relay!.url);
  agent = createAgent({
    deviceId: DEVICE,
    ui: silentUi,
    dataDir: mkdtempSync(join(tmpdir(), 'pl-replay-agent-')),
    enrollmentToken: await enroll(DEVICE),
    backoff: { baseMs: 20, capMs: 100 },
    policy: { ...DEFAULT_POLICY, relayUrl: proxy.url, relayPublicKey: relayKey.publicKey },
  });
  await agent.start();
  await until('the real agent to sign in', () => relay!.router.isOnline(DEVICE));
  const hello = proxy.fromAgent.map((f) => parseFrame(f, ['hello'])).find((p) => p.ok);
  if (!hello?.ok) throw new Error(`no hello recorded: ${proxy.fromAgent.join(' | ')}`);
  return { captured: hello.msg as Message<'hello'>, dbFile };
}

/** The attacker: a fresh agent connection on which the recorded hello is sent. */
async function replay(url: string, hello: Message<'hello'>): Promise<{ answer: Message | null; closeCode: number | null }> {
  const { ws } = await openAgentSocket(url);
  return sendAndAwaitAnswer(ws, encodeFrame(hello));
}

const refusedAs = (detail: RegExp) => ({ answer: expect.objectContaining({ type: 'error', code: 'unauthorized', detail: expect.stringMatching(detail) }), closeCode: 4001 });

describe('a captured agent hello replayed', () => {
  it('is refused on a new connection while the real agent is online, and the agent keeps its connection', async () => {
    const { captured } = await victimOnline();
    expect(await replay(relay!.url, captured)).toEqual(refusedAs(/does not answer this connection's challenge/));
    expect(relay!.router.isOnline(DEVICE)).toBe(true);
  });

  it('is refused after a flood of junk hellos larger than the nonce store, which the flood does not fill', async () => {
    const { captured } = await victimOnline({ maxHelloNonces: 8 });
    // Junk: self-signed hellos for the victim's id with made-up enrollment tokens, over fresh challenges.
    const flood = await Promise.all(Array.from({ length: 40 }, () => connectAgent(relay!.url, { deviceId: DEVICE, enrollmentToken: newSecretToken() })));
    expect(flood.every((r) => !r.ok)).toBe(true);
    expect(await replay(relay!.url, captured)).toEqual(refusedAs(/does not answer this connection's challenge/));
    // The junk never reached the nonce store: an enrolled device still signs in.
    const other = await connectAgent(relay!.url, { deviceId: 'dev-other', enrollmentToken: await enroll('dev-other') });
    expect(other.ok).toBe(true);
    if (other.ok) await other.agent.close();
  });

  it('is refused after a relay restart (empty nonce store), while the real agent signs in again', async () => {
    const { captured, dbFile } = await victimOnline();
    await relay!.close();
    await storage!.close();
    storage = new SqliteStorage(dbFile);
    relay = await startRelay({ storage, relayKey, port: 0 });
    await until('the real agent to sign in to the restarted relay', () => relay!.router.isOnline(DEVICE));
    expect(await replay(relay!.url, captured)).toEqual(refusedAs(/does not answer this connection's challenge/));
  });

  it('is refused with the new connection\'s challenge pasted in: the proof no longer verifies', async () => {
    const { captured } = await victimOnline();
    const { ws, challenge } = await openAgentSocket(relay!.url);
    const pasted = { ...captured, challenge: challenge.challenge };
    expect(await sendAndAwaitAnswer(ws, encodeFrame(pasted))).toEqual(refusedAs(/proof does not verify/));
  });
});

describe('hello defences in depth', () => {
  it('refuses a hello whose proof was tampered with, even from the enrolled key', async () => {
    storage = new SqliteStorage(':memory:');
    relay = await startRelay({ storage, relayKey, port: 0 });
    const key = generateEd25519KeyPair();
    expect((await connectAgent(relay.url, { deviceId: 'dev-1', key, enrollmentToken: await enroll('dev-1') })).ok).toBe(true);
    const flip = (sig: string) => `${sig.slice(0, 10)}${sig[10] === 'A' ? 'B' : 'A'}${sig.slice(11)}`;
    const r = await connectAgent(relay.url, { deviceId: 'dev-1', key, tamper: (h) => ({ ...h, proof: flip(h.proof) }) });
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthorized', detail: expect.stringMatching(/proof does not verify/) } });
  });

  it('refuses a hello signed for another relay key', async () => {
    storage = new SqliteStorage(':memory:');
    relay = await startRelay({ storage, relayKey, port: 0 });
    const r = await connectAgent(relay.url, { deviceId: 'dev-1', enrollmentToken: await enroll('dev-1'), context: (c) => ({ ...c, relayKeyFingerprint: 'AAAA-BBBB-CCCC-DDDD-EEEE' }) });
    expect(r).toMatchObject({ ok: false, error: { detail: expect.stringMatching(/proof does not verify/) } });
  });

  it('refuses a hello issued before the relay started, even over a fresh challenge', async () => {
    storage = new SqliteStorage(':memory:');
    relay = await startRelay({ storage, relayKey, port: 0 });
    const issuedAt = new Date(Date.now() - 60_000).toISOString();
    const r = await connectAgent(relay.url, { deviceId: 'dev-1', enrollmentToken: await enroll('dev-1'), issuedAt });
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthorized', detail: 'hello was issued before the relay started' } });
  });

  it('refuses new hellos while the nonce store is full instead of evicting unexpired nonces', async () => {
    storage = new SqliteStorage(':memory:');
    relay = await startRelay({ storage, relayKey, port: 0, maxHelloNonces: 7 });
    const keys = new Map<string, ReturnType<typeof generateEd25519KeyPair>>();
    for (const id of ['dev-1', 'dev-2', 'dev-3', 'dev-4']) {
      keys.set(id, generateEd25519KeyPair());
      const enrolled = await connectAgent(relay.url, { deviceId: id, key: keys.get(id)!, enrollmentToken: await enroll(id) });
      if (!enrolled.ok) throw new Error(`${id} could not enroll`);
      await enrolled.agent.close();
    }
    // The four enrollments' nonces and three sign-ins fill the store.
    const nonce = 'Zmlyc3Qtbm9uY2UtaW4tdGhlLXN0b3Jl';
    const closes: number[] = [];
    for (const id of ['dev-1', 'dev-2', 'dev-3']) {
      const r = await connectAgent(relay.url, { deviceId: id, key: keys.get(id)!, ...(id === 'dev-1' ? { nonce } : {}) });
      expect(r.ok).toBe(true);
      if (r.ok) await r.agent.close();
    }
    const fourth = await connectAgent(relay.url, { deviceId: 'dev-4', key: keys.get('dev-4')!, onClose: (code) => closes.push(code) });
    expect(fourth).toMatchObject({ ok: false, error: { code: 'busy', detail: expect.stringMatching(/nonce store is full/) } });
    expect(closes).toEqual([CLOSE.tryAgainLater]);
    // The oldest nonce was not evicted to make room: it is still refused as used.
    const again = await connectAgent(relay.url, { deviceId: 'dev-1', key: keys.get('dev-1')!, nonce });
    expect(again).toMatchObject({ ok: false, error: { detail: 'hello nonce was used before' } });
  });

  it('refuses an agent hello on a connection that did not open the agent subprotocol (no challenge)', async () => {
    storage = new SqliteStorage(':memory:');
    relay = await startRelay({ storage, relayKey, port: 0 });
    const { default: WebSocket } = await import('ws');
    const ws = new WebSocket(relay.url);
    await new Promise((r) => ws.once('open', r));
    const key = generateEd25519KeyPair();
    const hello = { v: 1, type: 'hello', id: 'h-1', role: 'agent', deviceId: 'dev-1', devicePublicKey: key.publicKey, agentVersion: 'x', issuedAt: new Date().toISOString(), nonce: 'bm8tY2hhbGxlbmdlLW5vbmNlLTE', challenge: 'x'.repeat(43), proof: 'A'.repeat(86) };
    expect(await sendAndAwaitAnswer(ws, JSON.stringify(hello))).toEqual(refusedAs(/subprotocol/));
  });
});

describe.skipIf(!hasOpenssl)('hello over TLS: bound to the channel', () => {
  const tls = hasOpenssl ? selfSigned() : undefined;
  const startTls = async () => {
    storage = new SqliteStorage(':memory:');
    relay = await startRelay({ storage, relayKey, port: 0, tls: { cert: tls!.cert, key: tls!.key } });
  };

  it('the real agent signs in over wss:// with the exported keying material of its own channel', async () => {
    await startTls();
    agent = createAgent({
      deviceId: DEVICE,
      ui: silentUi,
      dataDir: mkdtempSync(join(tmpdir(), 'pl-replay-agent-')),
      enrollmentToken: await enroll(DEVICE),
      wsOptions: { ca: tls!.cert },
      policy: { ...DEFAULT_POLICY, relayUrl: relay!.url, relayPublicKey: relayKey.publicKey },
    });
    await agent.start();
    await until('the real agent to sign in over TLS', () => relay!.router.isOnline(DEVICE));
  });

  it('refuses a proof made on another TLS channel (a man in the middle forwarding the challenge)', async () => {
    await startTls();
    // The attacker's own channel to the relay (B) and the victim's channel to the attacker (A):
    // the victim signs B's challenge but can only bind it to channel A.
    const a = await openAgentSocket(relay!.url, tls!.cert);
    const r = await connectAgent(relay!.url, {
      deviceId: 'dev-1',
      enrollmentToken: await enroll('dev-1'),
      ca: tls!.cert,
      context: (c) => {
        expect(c.channelBinding).toBe('tls-exporter');
        expect(a.tlsExporter).not.toBe(c.tlsExporter);
        return { ...c, tlsExporter: a.tlsExporter };
      },
    });
    a.ws.close();
    expect(r).toMatchObject({ ok: false, error: { code: 'unauthorized', detail: expect.stringMatching(/proof does not verify/) } });
  });

  it('refuses a proof without the channel binding the relay asked for', async () => {
    await startTls();
    const r = await connectAgent(relay!.url, { deviceId: 'dev-1', enrollmentToken: await enroll('dev-1'), ca: tls!.cert, context: (c) => ({ ...c, channelBinding: 'none', tlsExporter: null }) });
    expect(r).toMatchObject({ ok: false, error: { detail: expect.stringMatching(/proof does not verify/) } });
  });
});
