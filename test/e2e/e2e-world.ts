// The world every end-to-end spec runs in: the built renderer pages served as Electron loads them, one relay
// process per spec file, and per test an agent core whose windows are Chromium pages (agent-world.ts); after each
// test, no page refused a frame or threw, and the agent stops. Registers its own hooks on the spec's `test`.
import { expect, test, type BrowserContext } from '@playwright/test';
import { assertRendererBuilt, serveRenderer, type StaticServer } from '../renderer/static-server.js';
import { startAgentWorld, type AgentWorld } from './agent-world.js';
import { startRelayProcess, type RelayProcess } from './relay-process.js';

export interface E2eWorld {
  readonly relay: RelayProcess;
  /** An agent world for this test (stopped after it). */
  start(context: BrowserContext, o?: Parameters<typeof startAgentWorld>[3]): Promise<AgentWorld>;
  /** A technician of its own per test, so per-technician rate limits never couple tests. */
  newTechnician(o?: Parameters<RelayProcess['addTechnician']>[1]): Promise<{ name: string; token: string }>;
}

export function useE2eWorld(relayOptions: Parameters<typeof startRelayProcess>[0] = {}): E2eWorld {
  let relay: RelayProcess | undefined;
  let renderer: StaticServer | undefined;
  let world: AgentWorld | undefined;
  let techs = 0;

  test.beforeAll(async () => {
    assertRendererBuilt(['consent', 'banner', 'summary']);
    renderer = await serveRenderer();
    relay = await startRelayProcess(relayOptions);
  });
  test.afterAll(async () => {
    expect(await relay?.stop()).toBe(0);
    await renderer?.close();
  });
  test.afterEach(async () => {
    if (world) {
      expect(world.ui.refused).toEqual([]);
      expect(world.ui.pageErrors).toEqual([]);
      await world.stop();
    }
    world = undefined;
  });

  const started = (): RelayProcess => {
    if (!relay) throw new Error('the relay process is not started (use the world inside a test)');
    return relay;
  };
  return {
    get relay() {
      return started();
    },
    start: async (context, o = {}) => (world = await startAgentWorld(context, renderer!.url, started(), o)),
    newTechnician: async (o = {}) => {
      const name = `tech-${process.pid}-${++techs}`;
      return { name, token: await started().addTechnician(name, o) };
    },
  };
}
