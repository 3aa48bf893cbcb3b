// One screen session with real parts, for the screen tests: the real relay,
// a real agent with the given screen policy, and `porchlight request
// --screen-port 0 --json` run in-process; plus what the tests check from the
// outside (listening ports per /proc/net/tcp, refused connects).
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import requestCommand from '../../src/cli/commands/request.js';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy/schema.js';
import type { UiPort } from '../../src/core/ui-port.js';
import type { Scope } from '../../src/protocol/scopes.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { until, within } from '../support/bounded-wait.js';
import { waitUntilOnline } from '../support/wait-until-online.js';

export interface CliEvent {
  type: string;
  port?: number;
  sessionId?: string;
  granted?: string[];
  scopes?: string[];
}

export interface ScreenSession {
  relay: TestRelay;
  agent: Agent;
  dataDir: string;
  /** Notices the user was given. */
  notices: Array<{ title: string; body: string }>;
  answer(): void;
  events(): CliEvent[];
  stdout(): string;
  exit: Promise<number>;
  screenPort(): Promise<number>;
  sessionId(): Promise<string>;
  /** Stop the agent (agent exit: it ends its session first); idempotent. */
  stopAgent(): Promise<void>;
  /** Stop the agent (if still running) and the relay. */
  close(): Promise<void>;
}

/** A user who answers when the test says, granting `grant`. */
function userWho(grant: readonly Scope[], notices: ScreenSession['notices']) {
  let answer: () => void = () => undefined;
  const decided = new Promise<void>((resolve) => (answer = resolve));
  const ui: UiPort = {
    setStatus: () => undefined,
    async showConsent(view) {
      await decided;
      return { kind: 'decision', promptId: view.promptId, granted: view.scopes.filter((s) => grant.includes(s)) };
    },
    showBanner: () => undefined,
    hideBanner: () => undefined,
    showSummary: () => undefined,
    notify: (n) => void notices.push({ title: n.title, body: n.body }),
  };
  return { ui, answer: () => answer() };
}

export async function startScreenSession(o: { screenServer: NonNullable<Policy['screenServer']>; grant: Scope[]; dataDir?: string }): Promise<ScreenSession> {
  const relay = await startTestRelay();
  const notices: ScreenSession['notices'] = [];
  const user = userWho(o.grant, notices);
  const deviceId = 'dev-screen';
  const dataDir = o.dataDir ?? mkdtempSync(join(tmpdir(), 'pl-screen-'));
  const agent = createAgent({
    deviceId,
    ui: user.ui,
    dataDir,
    enrollmentToken: await relay.enroll(deviceId),
    policy: { ...DEFAULT_POLICY, relayUrl: relay.relay.url, relayPublicKey: relay.relayKey.publicKey, screenServer: o.screenServer },
  });
  await agent.start();
  await waitUntilOnline(relay.relay, deviceId);
  const token = await relay.addTechnician('alice');
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', () => undefined);
  const argv = ['--relay', relay.relay.url, '--token', token, '--device', deviceId, '--ticket', 'INC-SCREEN', '--reason', 'Screen check', '--scopes', 'view,control', '--screen-port', '0', '--json'];
  const exit = requestCommand.run(argv, { stdout: out, stderr: err, env: {}, signal: new AbortController().signal });
  const events = () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as CliEvent);
  const first = async (type: string) => {
    await until(() => events().some((e) => e.type === type), type, () => stdout.slice(-400));
    return events().find((e) => e.type === type)!;
  };
  let stopped = false;
  const stopAgent = async () => {
    if (!stopped) await agent.stop();
    stopped = true;
  };
  return {
    relay,
    agent,
    dataDir,
    notices,
    answer: () => user.answer(),
    events,
    stdout: () => stdout,
    exit,
    screenPort: async () => (await first('screen')).port!,
    sessionId: async () => (await first('session.started')).sessionId!,
    stopAgent,
    async close() {
      await stopAgent();
      await relay.close();
    },
  };
}

/** Ports in LISTEN state (0A) on IPv4 and IPv6 per /proc/net/tcp{,6}. */
export function listeningPorts(): number[] {
  const rows = ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(1));
  return rows.filter((l) => l.trim().split(/\s+/)[3] === '0A').map((l) => parseInt(l.trim().split(/\s+/)[1]!.split(':').at(-1)!, 16));
}

export const refused = (port: number) =>
  within(
    new Promise<string>((resolve) => {
      const s = connect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    }),
    `a connect to ${port}`,
    () => 'no answer',
  );
