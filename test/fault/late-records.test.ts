// Fault suite: the relay process is SIGKILLed at each step of a session and
// restarted on the same data dir. The agent (real core, in process, scripted
// UI) re-sends every report the relay never acknowledged as `session.late`;
// afterwards the central audit holds every report the agent wrote about the
// ticket, once each, the re-sent ones flagged late (the user's own messages and
// their answer on the fix among them, device-signed).
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { ensureBuilt, runCli } from '../cli/built-cli.js';
import { ScriptedUi } from '../core/scripted-ui.js';
import { addTechnician, enrollDevice, freePort, startRelayProcess, tmp, type RelayProcess } from './processes.js';

beforeAll(ensureBuilt, 120_000);

let relay: RelayProcess | undefined;
let agent: Agent | undefined;
let tech: TechnicianClient | undefined;

afterEach(async () => {
  await tech?.close();
  await agent?.stop();
  await relay?.stop();
  relay = agent = tech = undefined;
});

/** Reports the agent sends to the relay: the ones the central audit must end up holding. */
const REPORTS = new Set(['session.decision', 'session.started', 'session.scope-update', 'session.file-transfer-result', 'session.end', 'session.summary', 'session.user-message', 'session.resolution']);

interface World {
  ui: ScriptedUi;
  agent: Agent;
  tech: TechnicianClient;
  ticket: string;
  sessionId?: string;
}

const seen = <T extends Message['type']>(w: World, type: T) => w.tech.waitFor((m) => (m.type === type ? (m as Message<T>) : undefined));

async function accept(w: World): Promise<void> {
  w.ui.answer((await w.ui.nextPrompt()).promptId, ['view', 'control']);
}

async function started(w: World): Promise<string> {
  const s = seen(w, 'session.started');
  await accept(w);
  return (await s)!.sessionId;
}

/** Drive the session to the step, then the relay dies; then, optionally, what the user does while it is down. */
const STEPS: [string, (w: World) => Promise<void>, ((w: World) => Promise<void>)?][] = [
  ['after the request (prompt on screen)', async (w) => void (await w.ui.nextPrompt())],
  ['after the decision', async (w) => {
    const d = seen(w, 'session.decision');
    await accept(w);
    await d;
  }],
  ['after the start', async (w) => void (await started(w))],
  ['mid-session (after a revoke)', async (w) => {
    const sessionId = await started(w);
    const update = seen(w, 'session.scope-update');
    await w.agent.revokeScope(sessionId, 'control');
    await update;
  }],
  ['right after the end', async (w) => {
    const sessionId = await started(w);
    await w.agent.endSession(sessionId);
  }],
  // Issue 20: the user's own words reach the relay live; their answer on the fix is given while it is down.
  ["the user's answer on the fix, given while the relay is down", async (w) => {
    const sessionId = await started(w);
    const said = seen(w, 'session.user-message');
    expect(await w.agent.sendUserMessage(sessionId, 'Will I lose my calendar?')).toBe('sent');
    await said;
    const summary = seen(w, 'session.summary');
    await w.agent.endSession(sessionId);
    await summary;
    w.sessionId = sessionId;
  }, async (w) => {
    expect(await w.agent.sendResolution({ sessionId: w.sessionId!, solved: false, rating: 2, comment: 'Shared calendars still empty' })).toBe('sent');
  }],
];

function unackedCount(agentData: string): number {
  try {
    return (JSON.parse(readFileSync(join(agentData, 'unacked-reports.json'), 'utf8')) as { reports: unknown[] }).reports.length;
  } catch {
    return 0;
  }
}

describe('fault: relay killed at each step of a session', { timeout: 90_000 }, () => {
  for (const [step, drive, whileDown] of STEPS) {
    it(`${step}: the central audit ends with every report the agent wrote, once`, async () => {
      const dir = tmp('late');
      const relayData = join(dir, 'relay');
      const port = await freePort();
      const token = await addTechnician(relayData, 'alice');
      const enrollmentToken = await enrollDevice(relayData, 'dev-late');
      relay = await startRelayProcess(relayData, port);
      const ui = new ScriptedUi();
      const agentData = join(dir, 'agent');
      agent = createAgent({
        policy: { ...DEFAULT_POLICY, relayUrl: relay.url, relayPublicKey: relay.publicKey },
        ui,
        dataDir: agentData,
        deviceId: 'dev-late',
        enrollmentToken,
        backoff: { baseMs: 100, capMs: 500 },
      });
      await agent.start();
      await vi.waitFor(() => expect(agent!.status().connection).toBe('connected'), { timeout: 30_000 });
      const r = await connectTechnician(relay.url, token);
      if (!r.ok) throw new Error(r.detail);
      tech = r.client;
      const ticket = `INC-LATE-${STEPS.findIndex(([s]) => s === step)}`;
      const w: World = { ui, agent, tech, ticket };
      tech.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId: 'dev-late', ticket: { id: ticket }, reason: 'Mail does not sync', scopes: ['view', 'control'], mode: 'attended', estimatedMinutes: 10 });
      await drive(w);

      await relay.kill();
      await vi.waitFor(() => expect(agent!.status().connection).not.toBe('connected'), { timeout: 30_000 });
      await whileDown?.(w);
      await agent.idle();
      // What the agent holds for re-sending while the relay is down (kept in its data dir).
      const held = readFileSync(join(agentData, 'unacked-reports.json'), 'utf8');
      expect(unackedCount(agentData)).toBeGreaterThan(0);
      // What the relay had recorded when it died: it may have written a report whose ack never reached the agent.
      const recordedBefore = new Set((await centralAnchored(relayData, ticket)).map((c) => c.data.agentAudit!.seq));
      relay = await startRelayProcess(relayData, port);
      await vi.waitFor(() => expect(agent!.status().connection).toBe('connected'), { timeout: 30_000 });
      await vi.waitFor(() => expect(unackedCount(agentData)).toBe(0), { timeout: 30_000 });
      await agent.idle();

      // An agent restarted with the same reports still held (say it died before the acks were saved) sends them
      // again: the relay takes each once.
      await agent.stop();
      writeFileSync(join(agentData, 'unacked-reports.json'), held);
      agent = createAgent({ policy: { ...DEFAULT_POLICY, relayUrl: relay.url, relayPublicKey: relay.publicKey }, ui, dataDir: agentData, deviceId: 'dev-late', backoff: { baseMs: 100, capMs: 500 } });
      await agent.start();
      await vi.waitFor(() => expect(agent!.status().connection).toBe('connected'), { timeout: 30_000 });
      await vi.waitFor(() => expect(unackedCount(agentData)).toBe(0), { timeout: 30_000 });
      await agent.idle();

      const agentReports = recordsForTicket(join(agentData, 'audit'), ticket).filter((x) => REPORTS.has(String(x.msgType)));
      expect(agentReports.length).toBeGreaterThan(0);
      const central = await centralRecords(relayData, ticket);
      const anchored = central.filter((c) => c.deviceId === 'dev-late' && c.data.agentAudit);
      const seqs = anchored.map((c) => c.data.agentAudit!.seq);
      expect(seqs.filter((s, i) => seqs.indexOf(s) !== i), 'duplicates in the central audit').toEqual([]);
      const missing = agentReports.filter((a) => !anchored.some((c) => c.data.agentAudit!.seq === a.seq && c.data.agentAudit!.hash === a.hash));
      expect(missing.map((m) => `${m.seq} ${m.type}`), `central audit: ${central.map((c) => `${c.kind}${c.data.late ? ' (late)' : ''}`).join(', ')}`).toEqual([]);
      // What reached the relay only after its restart is flagged late; what it had recorded before it died is not.
      const after = anchored.filter((c) => !recordedBefore.has(c.data.agentAudit!.seq));
      expect(after.filter((c) => c.data.late !== true).map((c) => c.kind), 'recorded after the restart but not flagged late').toEqual([]);
      expect(anchored.filter((c) => recordedBefore.has(c.data.agentAudit!.seq) && c.data.late === true).map((c) => c.kind)).toEqual([]);
      if (whileDown) {
        // The answer given while the relay was down: recorded once, late, with the device signature it was sent with.
        const answers = anchored.filter((c) => c.kind === 'resolution');
        expect(answers).toMatchObject([{ data: { solved: false, rating: 2, late: true, deviceSig: { devicePublicKey: agent.devicePublicKey() } } }]);
        expect(anchored.filter((c) => c.kind === 'user-message')).toMatchObject([{ data: { text: 'Will I lose my calendar?', deviceSig: { devicePublicKey: agent.devicePublicKey() } } }]);
        // And an auditor checks both signatures offline, from the evidence bundle.
        const bundle = join(dir, 'evidence.json');
        expect((await runCli(['evidence', '--ticket', ticket, '--out', bundle, '--data', relayData])).code).toBe(0);
        const verified = await runCli(['evidence', 'verify', bundle, '--relay-key', relay.publicKey]);
        expect(verified.stdout + verified.stderr).toMatch(/^VERIFIED/);
        expect(verified.code).toBe(0);
      }
    });
  }
});

type CentralRecord = { kind: string; deviceId: string | null; data: { agentAudit?: { seq: number; hash: string }; late?: true; deviceSig?: { devicePublicKey: string } } };

/** The ticket's central audit, read from the relay's data dir by the built CLI (the relay may be down). */
async function centralRecords(relayData: string, ticket: string): Promise<CentralRecord[]> {
  const out = await runCli(['relay', 'audit', '--ticket', ticket, '--format', 'jsonl', '--data', relayData]);
  return out.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as CentralRecord);
}

/** The device's anchored reports among them. */
async function centralAnchored(relayData: string, ticket: string): Promise<CentralRecord[]> {
  return (await centralRecords(relayData, ticket)).filter((c) => c.deviceId === 'dev-late' && c.data.agentAudit);
}
