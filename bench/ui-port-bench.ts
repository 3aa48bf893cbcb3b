// The agent alone, against the relay stand-in the agent tests use (one ws hop,
// no relay logic): request frame -> showConsent (signature, replay cache,
// policy, audit fsync, queue), and the user's answer -> decision frame at the
// stand-in (decision record fsynced first).
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAgent } from '../src/core/agent.js';
import { DEFAULT_POLICY } from '../src/core/policy/schema.js';
import type { UiPort } from '../src/core/ui-port.js';
import { RelayStandIn } from '../test/core/relay-stand-in.js';
import { requestPayload, technicianAlice } from '../test/fixtures/sample-messages.js';
import { latencyRow, type BenchRow } from './stats.js';
import { rounds } from './bench-options.js';

const ROUNDS = rounds(500);
const WARMUP = rounds(50);
// Spread over technicians: the agent allows at most 100 prompts per technician per minute.
const TECHNICIANS = 50;

export async function runUiPortBench(echo: { name: string; p50: number; p99: number }): Promise<BenchRow[]> {
  const relay = await RelayStandIn.start();
  let shownAt = 0;
  let answeredAt = 0;
  let shown!: () => void;
  const ui: UiPort = {
    setStatus: () => undefined,
    async showConsent(view) {
      shownAt = performance.now();
      shown();
      answeredAt = performance.now();
      return { kind: 'decision', promptId: view.promptId, granted: [] };
    },
    showBanner: () => undefined,
    hideBanner: () => undefined,
    showSummary: () => undefined,
    notify: () => undefined,
  };
  const agent = createAgent({ deviceId: 'dev-0001', ui, dataDir: mkdtempSync(join(tmpdir(), 'pl-bench-ui-')), policy: { ...DEFAULT_POLICY, relayUrl: relay.url, relayPublicKey: relay.relayKey.publicKey, rateLimit: { prompts: 100, windowMinutes: 1, autoDeclineAfterDeclines: 100 } } });
  await agent.start();
  await relay.whenAgentConnected();
  const samples: number[] = [];
  const back: number[] = [];
  for (let i = 0; i < ROUNDS + WARMUP; i++) {
    const prompted = new Promise<void>((r) => (shown = r));
    const now = Date.now();
    const payload = requestPayload({ requestId: `req-${i}`, nonce: randomBytes(16).toString('base64url'), technician: { ...technicianAlice, id: `tech-${i % TECHNICIANS}` }, issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 120_000).toISOString() });
    const t0 = performance.now();
    relay.sendRequest(payload);
    await prompted;
    await relay.waitFor('session.decision', (m) => m.requestId === payload.requestId);
    if (i >= WARMUP) {
      samples.push(shownAt - t0);
      back.push(performance.now() - answeredAt);
    }
    await agent.idle();
  }
  await agent.stop();
  await relay.close();
  return [
    latencyRow('request frame -> UI port showConsent (signature, replay, policy, audit fsync)', samples, echo, { text: '< 5 ms p99', p99Below: 5 }),
    latencyRow('user answer -> decision frame at the relay stand-in (decision audit fsync)', back, echo, { text: '< 20 ms p99', p99Below: 20 }),
  ];
}
