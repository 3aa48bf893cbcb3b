// Fuzz, relay side: hostile frames (fast-check, fixed seed) from an
// authenticated technician and an authenticated agent. The bulk drives the
// relay's own connection handler (Connection: rate limit, parse, router) over
// an in-memory socket object; a smaller share goes over real sockets to a
// real relay. Zero crashes (no `internal` error, nothing logged as an internal
// failure); every reply a valid message; every refusal a typed error.
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import type { WebSocket as WsSocket } from 'ws';
import WebSocket from 'ws';
import { InProcessPeerDirectory } from '../../src/relay/peer-directory.js';
import { ACCEPTED_BY, AGENT_SUBPROTOCOL, ERROR_CODES, MAX_FRAME_BYTES, encodeFrame, generateEd25519KeyPair, newMessageId, parseFrame, signHelloProof, type Message } from '../../src/protocol/index.js';
import { CentralAudit } from '../../src/relay/audit/central-audit.js';
import { Connection, type ConnectionDeps } from '../../src/relay/connection.js';
import { NonceCache } from '../../src/relay/nonce-cache.js';
import { Router } from '../../src/relay/router.js';
import { hashSecretToken, newSecretToken } from '../../src/relay/secret-token.js';
import { SignInLimiter } from '../../src/relay/accounts/sign-in-limiter.js';
import { DEFAULT_MFA_POLICY } from '../../src/relay/accounts/mfa-policy.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { approvalsKey } from '../fixtures/sample-messages.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { arbitraryFrameFor, FUZZ_SEED } from './arbitrary-frame.js';

const BULK = Number(process.env.PORCHLIGHT_FUZZ_RELAY_BULK ?? 50_000);
const OVER_SOCKET = Number(process.env.PORCHLIGHT_FUZZ_RELAY_SOCKET ?? 3_000);

/** What Connection needs of a ws socket, in memory: records what the relay sends. */
class MemorySocket extends EventEmitter {
  readonly OPEN = 1;
  readonly CONNECTING = 0;
  readyState = 1;
  bufferedAmount = 0;
  protocol = '';
  readonly sent: string[] = [];
  private waiters: { re: string; resolve: () => void }[] = [];
  send(text: string): void {
    this.sent.push(text);
    for (const w of this.waiters.filter((x) => text.includes(`"re":"${x.re}"`))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve();
    }
  }
  close(): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.emit('close', 1000);
  }
  terminate(): void {
    this.close();
  }
  ping(): void {}
  /** Deliver a frame as ws would: text frames as a Buffer with isBinary false. */
  receive(frame: string | Buffer): void {
    this.emit('message', typeof frame === 'string' ? Buffer.from(frame) : frame, typeof frame !== 'string');
  }
  replyTo(re: string): Promise<void> {
    if (this.sent.some((t) => t.includes(`"re":"${re}"`))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ re, resolve }));
  }
}

/** Every frame the relay sent parses as a message; errors carry stable codes and are never `internal`. */
function expectValidReplies(sent: readonly string[]): number {
  let errors = 0;
  for (const text of sent) {
    const parsed = parseFrame(text);
    expect(parsed.ok).toBe(true);
    if (parsed.ok && parsed.msg.type === 'error') {
      errors++;
      expect(ERROR_CODES).toContain(parsed.msg.code);
      expect(parsed.msg.code).not.toBe('internal');
    }
  }
  return errors;
}

let t: TestRelay | undefined;
afterAll(async () => t?.close());

describe('fuzz: hostile frames into the relay', () => {
  it(`${BULK} frames through the relay's connection handler and router: no crash, typed errors`, async () => {
    console.log(`relay fuzz: seed ${FUZZ_SEED + 2}, ${BULK} frames through Connection + Router`);
    const storage = new SqliteStorage(':memory:');
    const relayKey = generateEd25519KeyPair();
    const logs: string[] = [];
    const deps: ConnectionDeps = {
      router: new Router({ storage, relayKey, approvalsPublicKey: approvalsKey.publicKey }),
      storage,
      audit: new CentralAudit(storage, Date.now),
      nonces: new NonceCache(10 * 60_000),
      now: Date.now,
      rateLimit: { perSecond: 1e9, burst: 1e9, abuseThreshold: 1e9 },
      heartbeatSec: 30,
      helloTimeoutMs: 600_000,
      relayPublicKey: relayKey.publicKey,
      startedAtMs: Date.now() - 1000,
      directory: new InProcessPeerDirectory(),
      maxQueued: 1e9,
      maxBufferedBytes: 1e9,
      signIns: new SignInLimiter(),
      mfa: DEFAULT_MFA_POLICY,
      log: (l) => logs.push(l),
    };
    const techToken = newSecretToken();
    await storage.addTechnician({ id: 'alice', name: 'Alice Moreau', group: 'helpdesk', scopes: ['view', 'control', 'admin', 'file-transfer'], unattended: true, tokenHash: hashSecretToken(techToken), createdAt: new Date().toISOString(), disabled: false });
    const enrollToken = newSecretToken();
    await storage.addEnrollment({ deviceId: 'dev-0001', tokenHash: hashSecretToken(enrollToken), createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 3600_000).toISOString() });

    // The fixtures' device id, so fuzzed technician requests reach this agent and its frames match them.
    const agentWs = new MemorySocket();
    agentWs.protocol = AGENT_SUBPROTOCOL;
    new Connection(agentWs as unknown as WsSocket, deps);
    const challenge = parseFrame(agentWs.sent[0], ['challenge']);
    if (!challenge.ok || challenge.msg.type !== 'challenge') throw new Error(`expected a challenge, got ${agentWs.sent[0]}`);
    const deviceKey = generateEd25519KeyPair();
    const fields = { deviceId: 'dev-0001', devicePublicKey: deviceKey.publicKey, issuedAt: new Date().toISOString(), nonce: randomBytes(18).toString('base64url') };
    const ctx = { challenge: challenge.msg.challenge, relayKeyFingerprint: challenge.msg.relayKeyFingerprint, channelBinding: 'none' as const, tlsExporter: null };
    const proof = signHelloProof(fields, ctx, deviceKey);
    agentWs.receive(encodeFrame({ v: 1, type: 'hello', id: 'hello-agent', role: 'agent', agentVersion: '0.1.0', ...fields, challenge: ctx.challenge, proof, enrollmentToken: enrollToken }));
    const techWs = new MemorySocket();
    new Connection(techWs as unknown as WsSocket, deps);
    techWs.receive(encodeFrame({ v: 1, type: 'hello', id: 'hello-tech', role: 'technician', token: techToken }));
    await vi_waitUntil(() => agentWs.sent.some((s) => s.includes('"type":"welcome"')) && techWs.sent.some((s) => s.includes('"type":"welcome"')));

    const cpu = process.cpuUsage();
    const started = performance.now();
    const techFrames = fc.sample(arbitraryFrameFor(ACCEPTED_BY.relayFromTechnician), { numRuns: Math.ceil(BULK / 2), seed: FUZZ_SEED + 2 });
    const agentFrames = fc.sample(arbitraryFrameFor(ACCEPTED_BY.relayFromAgent), { numRuns: Math.floor(BULK / 2), seed: FUZZ_SEED + 3 });
    let probe = 0;
    for (let i = 0; i < techFrames.length; i += 500) {
      for (const f of techFrames.slice(i, i + 500)) techWs.receive(f);
      for (const f of agentFrames.slice(i, i + 500)) agentWs.receive(f);
      const id = `probe-${++probe}`;
      techWs.receive(encodeFrame({ v: 1, type: 'session.cancel', id, requestId: 'no-such-request' }));
      agentWs.receive(encodeFrame({ v: 1, type: 'session.end', id, sessionId: 'no-such-session', by: 'user' }));
      await Promise.all([techWs.replyTo(id), agentWs.replyTo(id)]);
    }
    const used = process.cpuUsage(cpu);
    expect(techWs.readyState).toBe(1);
    expect(agentWs.readyState).toBe(1);
    const errors = expectValidReplies(techWs.sent) + expectValidReplies(agentWs.sent);
    expect(logs.filter((l) => /internal error|cleanup failed/.test(l))).toEqual([]);
    const audit = await storage.queryAudit({});
    console.log(`relay fuzz: ${techWs.sent.length + agentWs.sent.length} replies (${errors} typed errors), ${audit.length} central audit records; ${Math.round(performance.now() - started)} ms wall, ${Math.round((used.user + used.system) / 1000)} ms CPU`);
    await storage.close();
  }, 180_000);

  it(`${OVER_SOCKET} frames over real sockets to a real relay: connections survive, every reply valid`, async () => {
    console.log(`relay fuzz over sockets: seed ${FUZZ_SEED + 4}, ${OVER_SOCKET} frames`);
    t = await startTestRelay({ rateLimit: { perSecond: 1e6, burst: 1e6, abuseThreshold: 1e6 } });
    const token = await t.addTechnician('fuzz');
    const agent = await t.agent('dev-0001');
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const s = new WebSocket(t!.relay.url);
      s.once('open', () => resolve(s));
      s.once('error', reject);
    });
    const sent: string[] = [];
    ws.on('message', (d) => sent.push(d.toString()));
    const welcome = new Promise((r) => ws.once('message', r));
    ws.send(encodeFrame({ v: 1, type: 'hello', id: newMessageId(), role: 'technician', token }));
    await welcome;
    const fits = (f: string | Buffer) => Buffer.byteLength(f) <= MAX_FRAME_BYTES - 1024;
    const techFrames = fc.sample(arbitraryFrameFor(ACCEPTED_BY.relayFromTechnician), { numRuns: Math.ceil(OVER_SOCKET / 2), seed: FUZZ_SEED + 4 }).filter(fits);
    const agentFrames = fc.sample(arbitraryFrameFor(ACCEPTED_BY.relayFromAgent), { numRuns: Math.floor(OVER_SOCKET / 2), seed: FUZZ_SEED + 5 }).filter(fits);
    const agentReplies: Message[] = [];
    agent.ws.on('message', (d) => {
      const p = parseFrame(d.toString());
      expect(p.ok).toBe(true);
      if (p.ok) agentReplies.push(p.msg);
    });
    let probe = 0;
    for (let i = 0; i < Math.max(techFrames.length, agentFrames.length); i += 200) {
      for (const f of techFrames.slice(i, i + 200)) ws.send(f);
      for (const f of agentFrames.slice(i, i + 200)) agent.ws.send(f);
      const id = `probe-${++probe}`;
      ws.send(encodeFrame({ v: 1, type: 'session.cancel', id, requestId: 'no-such-request' }));
      agent.ws.send(encodeFrame({ v: 1, type: 'session.end', id, sessionId: 'no-such-session', by: 'user' }));
      await vi_waitUntil(() => sent.some((s) => s.includes(`"re":"${id}"`)) && agentReplies.some((m) => m.type === 'error' && m.re === id));
    }
    expect(ws.readyState).toBe(WebSocket.OPEN);
    expect(agent.ws.readyState).toBe(WebSocket.OPEN);
    const errors = expectValidReplies(sent) + agentReplies.filter((m) => m.type === 'error').length;
    for (const m of agentReplies) if (m.type === 'error') expect(ERROR_CODES).toContain(m.code);
    console.log(`relay fuzz over sockets: ${sent.length + agentReplies.length} replies, ${errors} typed errors`);
    ws.close();
  }, 180_000);
});

async function vi_waitUntil(done: () => boolean): Promise<void> {
  for (let i = 0; i < 30_000 && !done(); i++) await new Promise((r) => setTimeout(r, 2));
  expect(done()).toBe(true);
}
