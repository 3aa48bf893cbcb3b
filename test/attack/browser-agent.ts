// For browser attack specs: the real agent (createAgent) on a relay stand-in
// that signs whatever the test wants, showing its prompts in Chromium pages
// through the real bridge contract (ChromiumUi). Real clock on the agent side.
// useBrowserAgent is the setup every such spec shares: the built renderer
// served for the file, and after each test no contract refusal and the agent stopped.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, type BrowserContext, type test as playwrightTest } from '@playwright/test';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy/schema.js';
import type { SessionRequestPayload } from '../../src/protocol/index.js';
import { requestPayload } from '../fixtures/sample-messages.js';
import { RelayStandIn } from '../core/relay-stand-in.js';
import { ChromiumUi } from '../e2e/chromium-ui.js';
import { assertRendererBuilt, serveRenderer, type StaticServer } from '../renderer/static-server.js';
import { dispatchBannerAction } from '../../src/main/banner-actions.js';

export interface BrowserAgent {
  relay: RelayStandIn;
  ui: ChromiumUi;
  agent: Agent;
  /** The agent's data directory (its audit log is under audit/). */
  dataDir: string;
  /** A fresh, validly signed request payload for this device. */
  request(over?: Partial<SessionRequestPayload>): SessionRequestPayload;
  stop(): Promise<void>;
}

let n = 0;

export async function startBrowserAgent(context: BrowserContext, rendererUrl: string, policy: Partial<Policy> = {}): Promise<BrowserAgent> {
  const relay = await RelayStandIn.start();
  const ui = new ChromiumUi(context, rendererUrl);
  const dataDir = mkdtempSync(join(tmpdir(), 'pl-attack-browser-'));
  const agent = createAgent({
    deviceId: 'dev-0001',
    dataDir,
    ui,
    policy: { ...DEFAULT_POLICY, relayUrl: relay.url, relayPublicKey: relay.relayKey.publicKey, ...policy },
  });
  ui.onBannerAction = (a) => void dispatchBannerAction(agent, a);
  await agent.start();
  await relay.whenAgentConnected();
  return {
    relay,
    ui,
    agent,
    dataDir,
    request: (over = {}) =>
      requestPayload({ requestId: `req-b${process.pid}-${++n}`, nonce: randomBytes(16).toString('base64url'), issuedAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 120_000).toISOString(), ...over }),
    async stop() {
      await agent.stop();
      await ui.settled();
      await relay.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface BrowserAgentSpec {
  /** Where the built renderer pages are served for this spec file. */
  rendererUrl(): string;
  /** Start this test's agent; it is checked and stopped after the test. */
  start(context: BrowserContext, policy?: Partial<Policy>): Promise<BrowserAgent>;
}

/**
 * Register the shared hooks on a spec file: serve the built `pages` for the whole file; after each test, the bridge
 * contract refused nothing, and the agent is stopped (also when that check fails, so no agent outlives its test).
 */
export function useBrowserAgent(test: typeof playwrightTest, pages: readonly string[]): BrowserAgentSpec {
  let renderer: StaticServer | undefined;
  let current: BrowserAgent | undefined;
  test.beforeAll(async () => {
    assertRendererBuilt(pages);
    renderer = await serveRenderer();
  });
  test.afterAll(async () => renderer?.close());
  test.afterEach(async () => {
    const b = current;
    current = undefined;
    if (!b) return;
    try {
      expect(b.ui.refused).toEqual([]);
    } finally {
      await b.stop();
    }
  });
  const rendererUrl = () => {
    if (!renderer) throw new Error('renderer not served: call useBrowserAgent at the top of the spec file');
    return renderer.url;
  };
  return {
    rendererUrl,
    async start(context, policy = {}) {
      current = await startBrowserAgent(context, rendererUrl(), policy);
      return current;
    },
  };
}
