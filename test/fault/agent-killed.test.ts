// Fault suite: the agent process is killed with SIGKILL right after the user
// decides, at several points between the click and the report to the relay.
// Whatever the technician received must be in the agent's audit log, and the
// log must verify once the agent has restarted.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { ensureBuilt, runCli } from '../cli/built-cli.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { tmp } from './processes.js';
import { until } from '../support/bounded-wait.js';
import { waitUntilOnline } from '../support/wait-until-online.js';

beforeAll(ensureBuilt, 120_000);

const FIXTURE = new URL('./fixtures/decide-then-die.mjs', import.meta.url).pathname;
const DEVICE = 'dev-k1';
let t: TestRelay | undefined;

afterEach(async () => {
  await t?.close();
  t = undefined;
});

interface AgentRun {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: () => string;
  waitFor(text: string): Promise<void>;
  kill(signal: NodeJS.Signals): void;
}

function runAgent(config: Record<string, unknown>): AgentRun {
  const child = spawn(process.execPath, [FIXTURE], { env: { PATH: process.env.PATH, PL_FAULT_AGENT: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const watchers = new Set<() => void>();
  child.stdout.on('data', (d) => {
    out += d;
    for (const w of [...watchers]) w();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.on('close', (code, signal) => r({ code, signal })));
  return {
    exited,
    stdout: () => out,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!out.includes(text)) return;
          watchers.delete(check);
          resolve();
        };
        watchers.add(check);
        check();
        void exited.then(() => reject(new Error(`agent exited before "${text}": ${out}`)));
      }),
    kill: (signal) => child.kill(signal),
  };
}


describe('fault: agent killed', { timeout: 90_000 }, () => {
  it('agent killed with SIGKILL right after the user decides: on restart audit verify passes, and the technician never got a decision that is not in the log', async () => {
    t = await startTestRelay();
    const token = await t.addTechnician('alice');
    const dataDir = tmp('agent-killed');
    const base = { relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey, deviceId: DEVICE, dataDir, enrollmentToken: await t.enroll(DEVICE) };
    const received: Message[] = [];
    const killPoints = ['microtask', 'immediate', 0, 1, 2, 5, 10, 50] as const;

    for (const [i, killAfter] of killPoints.entries()) {
      const agent = runAgent({ ...base, killAfter });
      await agent.waitFor('connected');
      await waitUntilOnline(t.relay, DEVICE);
      const r = await connectTechnician(t.relay.url, token);
      if (!r.ok) throw new Error(r.detail);
      const tech: TechnicianClient = r.client;
      tech.onMessage((m) => {
        if (m.type === 'session.decision' || m.type === 'session.started') received.push(m);
      });
      const ticket = `INC-K${i}`;
      tech.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: DEVICE, ticket: { id: ticket }, reason: 'Reset the VPN profile', scopes: ['view', 'control'], mode: 'attended', estimatedMinutes: 5 });
      expect(await agent.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(agent.stdout()).toContain(`deciding ${ticket}`);
      await until(() => !t!.relay.router.isOnline(DEVICE), `the relay to see ${DEVICE} go offline`, () => 'still online');
      await tech.close();
    }

    // Restart: the agent recovers its log (a torn last line is dropped and recorded) and runs normally.
    const restarted = runAgent({ ...base, killAfter: 'never' });
    await restarted.waitFor('connected');
    restarted.kill('SIGTERM');
    await restarted.waitFor('stopped');
    await restarted.exited;
    const auditDir = join(dataDir, 'audit');
    const verify = await runCli(['audit', 'verify', auditDir]);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);

    // Every decision and session start the technician saw is in the log, as sent (same message id and content).
    const logged = killPoints.flatMap((_, i) => recordsForTicket(auditDir, `INC-K${i}`));
    for (const m of received) {
      const record = logged.find((r) => r.msgId === m.id);
      if (m.type === 'session.decision') expect(record).toMatchObject({ type: 'consent.decision', requestId: m.requestId, outcome: m.outcome, granted: m.granted });
      if (m.type === 'session.started') expect(record).toMatchObject({ type: 'session.started', sessionId: m.sessionId, scopes: m.scopes });
    }
    // Informational: how many kill points the decision still got out before the process died.
    console.log(`agent-killed: technician received ${received.filter((m) => m.type === 'session.decision').length} of ${killPoints.length} decisions, ${received.filter((m) => m.type === 'session.started').length} session starts; all are in the log`);
  });
});
