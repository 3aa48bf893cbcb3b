// One device for an end-to-end test: the real agent core (createAgent) with a
// ChromiumUi, enrolled at a relay process, plus the technician as the built
// `porchlight request --json` command or, where the CLI has no verb for it
// (narration, escalation, file transfer), the technician client in-process.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from '@playwright/test';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy/schema.js';
import type { Message } from '../../src/protocol/index.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startCli, type RunningCli } from '../cli/built-cli.js';
import { ChromiumUi } from './chromium-ui.js';
import type { RelayProcess } from './relay-process.js';
import { describeFrames, until, within } from '../support/bounded-wait.js';
import { dispatchBannerAction } from '../../src/main/banner-actions.js';

export interface AgentWorld {
  agent: Agent;
  ui: ChromiumUi;
  deviceId: string;
  auditDir: string;
  stop(): Promise<void>;
}

let devices = 0;

export async function startAgentWorld(
  context: BrowserContext,
  rendererUrl: string,
  relay: RelayProcess,
  o: { presence?: 'interactive' | 'headless'; policy?: Partial<Policy>; approvalsPublicKey?: string } = {},
): Promise<AgentWorld> {
  const deviceId = `dev-${process.pid}-${++devices}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'pl-e2e-agent-'));
  const ui = new ChromiumUi(context, rendererUrl);
  const agent = createAgent({
    deviceId,
    dataDir,
    ui,
    presence: o.presence ?? 'interactive',
    enrollmentToken: await relay.enroll(deviceId),
    policy: { ...DEFAULT_POLICY, relayUrl: relay.url, relayPublicKey: relay.publicKey, ...(o.approvalsPublicKey ? { approvalsPublicKey: o.approvalsPublicKey } : {}), ...o.policy },
  });
  // What the shell does with banner buttons.
  ui.onBannerAction = (a) => void dispatchBannerAction(agent, a);
  ui.onResolution = (answer) => void agent.sendResolution(answer);
  await agent.start();
  await until(() => agent.status().connection === 'connected', `agent ${deviceId} to connect to the relay`, () => JSON.stringify(agent.status()));
  return {
    agent,
    ui,
    deviceId,
    auditDir: join(dataDir, 'audit'),
    async stop() {
      await agent.stop();
      await ui.settled();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `porchlight request ... --json` as a child process; parses its JSON lines. */
export interface RequestCli extends RunningCli {
  events(): Record<string, unknown>[];
  /** Resolves with the first JSON event of this type. */
  event(type: string): Promise<Record<string, unknown>>;
}

export function requestCli(relay: RelayProcess, token: string, args: string[]): RequestCli {
  const cli = startCli(['request', '--relay', relay.url, '--json', ...args], { PORCHLIGHT_TOKEN: token });
  const events = () =>
    cli
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    ...cli,
    events,
    async event(type) {
      await cli.waitForOutput(new RegExp(`"type":"${type.replace('.', '\\.')}"`));
      return events().find((e) => e.type === type)!;
    },
  };
}

/** The technician side in-process (the CLI cannot narrate, escalate or announce files). */
export async function technicianClient(relay: RelayProcess, token: string): Promise<TechnicianClient & { next<T extends Message['type']>(type: T, pred?: (m: Message & { type: T }) => boolean): Promise<Message & { type: T }> }> {
  const r = await connectTechnician(relay.url, token);
  if (!r.ok) throw new Error(`technician could not connect: ${r.code}`);
  const c = r.client;
  const seen: Message[] = [];
  c.onMessage((m) => seen.push(m));
  return Object.assign(c, {
    async next<T extends Message['type']>(type: T, pred: (m: Message & { type: T }) => boolean = () => true) {
      const match = (m: Message): m is Message & { type: T } => m.type === type && pred(m as Message & { type: T });
      const already = seen.find(match);
      if (already) return already;
      const frames = () => describeFrames(seen);
      const hit = await within(c.waitFor((m) => (match(m) ? m : undefined)), `a ${type} frame for the technician`, frames);
      if (!hit) throw new Error(`connection closed before ${type}`);
      return hit;
    },
  });
}
