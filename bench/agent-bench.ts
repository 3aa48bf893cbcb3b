// Agent benchmarks: (1) request frame -> UI port called, and the user's answer
// -> decision frame back at the relay (audit fsync included), through the real
// createAgent over a real socket; (2) audit append rate with fsync (one at a
// time and with group commit) and verify rate.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { createAgent } from '../src/core/agent.js';
import { AuditLog } from '../src/core/audit/audit-log.js';
import { verifyAuditLog } from '../src/core/audit/verify.js';
import { systemClock } from '../src/core/clock.js';
import { DEFAULT_POLICY } from '../src/core/policy/schema.js';
import type { UiPort } from '../src/core/ui-port.js';
import { encodeFrame, generateEd25519KeyPair, parseFrame, signSessionRequest, type Message } from '../src/protocol/index.js';
import type { ConsentAnswer, ConsentView } from '../src/shared/view-models.js';

const ROUNDS = 500;
const WARMUP = 50;

function stats(samples: number[]): { p50: number; p99: number } {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
  return { p50: at(50), p99: at(99) };
}

const ms = (n: number) => `${n.toFixed(3)} ms`;

async function promptLatency(): Promise<void> {
  const relayKey = generateEd25519KeyPair();
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  let agentWs: WebSocket | undefined;
  const decisions = new Map<string, (at: number) => void>();
  const connected = new Promise<void>((resolve) => {
    wss.on('connection', (ws) => {
      ws.on('message', (d) => {
        const parsed = parseFrame(d.toString());
        if (!parsed.ok) return;
        const m = parsed.msg;
        if (m.type === 'hello' && m.role === 'agent') {
          agentWs = ws;
          ws.send(encodeFrame({ v: 1, type: 'welcome', id: 'w-1', role: 'agent', serverTime: new Date().toISOString(), heartbeatSec: 30, deviceId: m.deviceId }));
          resolve();
        }
        if (m.type === 'session.decision') decisions.get(m.requestId)?.(performance.now());
      });
    });
  });
  let onPrompt: ((view: ConsentView, at: number) => void) | undefined;
  let answer: ((a: ConsentAnswer) => void) | undefined;
  const ui: UiPort = {
    setStatus: () => undefined,
    showConsent: (view) => {
      const at = performance.now();
      return new Promise((resolve) => {
        answer = resolve;
        onPrompt?.(view, at);
      });
    },
    showBanner: () => undefined,
    hideBanner: () => undefined,
    showSummary: () => undefined,
    notify: () => undefined,
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'pl-bench-agent-'));
  const port = (wss.address() as { port: number }).port;
  const agent = createAgent({ deviceId: 'dev-bench', dataDir, ui, policy: { ...DEFAULT_POLICY, relayUrl: `ws://127.0.0.1:${port}`, relayPublicKey: relayKey.publicKey } });
  await agent.start();
  await connected;
  const toUi: number[] = [];
  const back: number[] = [];
  for (let i = 0; i < ROUNDS + WARMUP; i++) {
    const now = Date.now();
    const requestId = `req-bench-${i}`;
    const msg: Message<'session.request'> = signSessionRequest(
      {
        requestId,
        deviceId: 'dev-bench',
        // A technician per request: the per-technician rate limit is not what this measures.
        technician: { id: `tech-${i}`, name: 'Bench Tech', group: 'helpdesk' },
        ticket: { id: 'BENCH-1' },
        reason: 'Benchmark request',
        scopes: ['view', 'control'],
        mode: 'attended',
        estimatedMinutes: 10,
        verificationCode: '123456',
        nonce: randomBytes(16).toString('base64url'),
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 120_000).toISOString(),
      },
      relayKey,
    );
    const shown = new Promise<number>((r) => (onPrompt = (_v, at) => r(at)));
    const decided = new Promise<number>((r) => decisions.set(requestId, r));
    const t0 = performance.now();
    agentWs!.send(encodeFrame(msg));
    const tShown = await shown;
    const tAnswer = performance.now();
    answer!({ kind: 'dismissed', promptId: requestId });
    const tBack = await decided;
    if (i >= WARMUP) {
      toUi.push(tShown - t0);
      back.push(tBack - tAnswer);
    }
  }
  await agent.stop();
  await new Promise((r) => wss.close(r));
  rmSync(dataDir, { recursive: true, force: true });
  const a = stats(toUi);
  const b = stats(back);
  console.log(`request frame -> UI port called:            p50 ${ms(a.p50)}  p99 ${ms(a.p99)}  (${ROUNDS} requests, real socket, signature + replay + policy checks, audit of receipt)`);
  console.log(`UI answer -> decision at relay (with fsync): p50 ${ms(b.p50)}  p99 ${ms(b.p99)}  (core only; no browser click)`);
}

async function auditRates(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-bench-audit-'));
  const log = await AuditLog.open({ dir, clock: systemClock });
  const fields = { requestId: 'req-0001', ticketId: 'INC0012345', technicianId: 'alice', outcome: 'accepted', granted: ['view', 'control'] };
  const SEQUENTIAL = 500;
  let t0 = performance.now();
  for (let i = 0; i < SEQUENTIAL; i++) await log.append('consent.decision', fields);
  const seqRate = SEQUENTIAL / ((performance.now() - t0) / 1000);
  const GROUPED = 50_000;
  t0 = performance.now();
  for (let i = 0; i < GROUPED; i += 1000) await Promise.all(Array.from({ length: 1000 }, () => log.append('consent.decision', fields)));
  const groupRate = GROUPED / ((performance.now() - t0) / 1000);
  await log.close();
  t0 = performance.now();
  const v = verifyAuditLog(dir);
  const verifyRate = v.records / ((performance.now() - t0) / 1000);
  rmSync(dir, { recursive: true, force: true });
  console.log(`audit append with fsync, one at a time:      ${seqRate.toFixed(0)} events/s`);
  console.log(`audit append with fsync, 1000 in flight:     ${groupRate.toFixed(0)} events/s (group commit)`);
  console.log(`audit verify:                                ${verifyRate.toFixed(0)} events/s (${v.records} records, ${v.ok ? 'intact' : 'NOT intact'})`);
}

export async function runAgentBench(): Promise<void> {
  await promptLatency();
  await auditRates();
}
