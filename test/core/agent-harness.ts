// Starts a real agent (createAgent) against the relay stand-in with a scripted
// UI and a hand-driven clock. Every request gets a fresh nonce and id.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vi } from 'vitest';
import { createAgent, type Agent, type AgentOptions } from '../../src/core/agent.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy/schema.js';
import type { ScopeRequestPayload, SessionRequestPayload } from '../../src/protocol/index.js';
import type { Scope } from '../../src/protocol/scopes.js';
import { approvalsKey, requestPayload, scopeRequestPayload } from '../fixtures/sample-messages.js';
import { FakeClock } from './fake-clock.js';
import { RelayStandIn, type StandInOptions } from './relay-stand-in.js';
import { ScriptedUi } from './scripted-ui.js';

export interface Harness {
  relay: RelayStandIn;
  ui: ScriptedUi;
  clock: FakeClock;
  agent: Agent;
  dataDir: string;
  policy: Policy;
  /** A fresh, validly signed request (override anything). */
  request(overrides?: Partial<SessionRequestPayload>): SessionRequestPayload;
  escalation(sessionId: string, overrides?: Partial<ScopeRequestPayload>): ScopeRequestPayload;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

let counter = 0;
/** Heartbeats far beyond any clock advance a test makes, unless a test is about heartbeats. */
const QUIET_HEARTBEAT = { heartbeatMs: 7 * 24 * 3600_000, silenceMs: 8 * 24 * 3600_000 };
export const freshNonce = () => randomBytes(16).toString('base64url');

export interface HarnessOptions extends Partial<Omit<AgentOptions, 'policy'>> {
  policy?: Partial<Policy>;
  relayOptions?: StandInOptions;
  /** Default true: resolve only once the relay has welcomed the agent. */
  waitConnected?: boolean;
}

export async function startHarness(o: HarnessOptions = {}): Promise<Harness> {
  const relay = await RelayStandIn.start(o.relayOptions);
  const ui = new ScriptedUi();
  relay.alsoSeen = () => `UI: ${ui.describe()}`;
  const clock = new FakeClock();
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'pl-agent-'));
  const policy: Policy = { ...DEFAULT_POLICY, relayUrl: relay.url, relayPublicKey: relay.relayKey.publicKey, approvalsPublicKey: approvalsKey.publicKey, ...o.policy };
  const { policy: _p, relayOptions: _r, waitConnected = true, ...rest } = o;
  const make = () => createAgent({ ui, dataDir, deviceId: 'dev-0001', clock, backoff: { random: () => 0 }, ...QUIET_HEARTBEAT, ...rest, policy });
  const h: Harness = {
    relay,
    ui,
    clock,
    agent: make(),
    dataDir,
    policy,
    request: (overrides = {}) => requestPayload({ requestId: `req-${++counter}`, nonce: freshNonce(), issuedAt: new Date(clock.now()).toISOString(), expiresAt: new Date(clock.now() + 120_000).toISOString(), ...overrides }),
    escalation: (sessionId, overrides = {}) => scopeRequestPayload({ requestId: `esc-${++counter}`, sessionId, nonce: freshNonce(), issuedAt: new Date(clock.now()).toISOString(), expiresAt: new Date(clock.now() + 120_000).toISOString(), ...overrides }),
    async restart() {
      await h.agent.stop();
      await relay.whenAgentGone();
      h.agent = make();
      await h.agent.start();
      await connected(h);
    },
    async stop() {
      await h.agent.stop();
      await relay.close();
      if (!o.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  await h.agent.start();
  if (waitConnected) await connected(h);
  return h;
}

export async function connected(h: Harness): Promise<void> {
  await h.relay.whenAgentConnected();
  await vi.waitFor(() => {
    if (h.agent.status().connection !== 'connected') throw new Error(`agent not connected: ${JSON.stringify(h.agent.status())}`);
  });
}

/** Ask for `scopes`, accept them all, and resolve with the live session id once started. */
export async function startLiveSession(h: Harness, scopes: Scope[]): Promise<string> {
  const req = h.request({ scopes, estimatedMinutes: 20 });
  h.relay.sendRequest(req);
  h.ui.answer((await h.ui.nextPrompt()).promptId, scopes);
  const started = await h.relay.waitFor('session.started');
  await h.agent.idle();
  return started.sessionId;
}
