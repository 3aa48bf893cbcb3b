// Fault suite: the relay process dies (SIGKILL) in the middle of things.
// Real `porchlight relay` processes; the agent is the real core, in process
// with a scripted UI where a prompt is needed (the Electron boundary), or the
// `porchlight agent --headless` process for the live session.
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { verifyAuditLog } from '../../src/core/audit/verify.js';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { ensureBuilt, runCli, startCli, type RunningCli } from '../cli/built-cli.js';
import { ScriptedUi } from '../core/scripted-ui.js';
import { addTechnician, approval, approvalsKey, enrollDevice, freePort, startHeadlessAgent, startRelayProcess, stopProcess, tmp, type RelayProcess } from './processes.js';

beforeAll(ensureBuilt, 120_000);

let relay: RelayProcess | undefined;
let agent: Agent | undefined;
let agentCli: RunningCli | undefined;
let techs: TechnicianClient[] = [];

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && agentCli) console.error(agentCli.stderr());
  await Promise.all(techs.map((t) => t.close()));
  techs = [];
  await agent?.stop();
  await stopProcess(agentCli);
  await relay?.stop();
  relay = agent = agentCli = undefined;
});

async function technician(url: string, token: string): Promise<TechnicianClient> {
  const r = await connectTechnician(url, token);
  if (!r.ok) throw new Error(r.detail);
  techs.push(r.client);
  return r.client;
}

const ask = (deviceId: string, ticket: string, over: Partial<Message<'tech.request'>> = {}): Message<'tech.request'> => ({
  v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ticket }, reason: 'Mail does not sync', scopes: ['view', 'control'], mode: 'attended', estimatedMinutes: 10, ...over,
});

describe('fault: relay killed', { timeout: 90_000 }, () => {
  it('relay killed during a prompt: the prompt declines, the user is told, the agent reconnects with backoff, no stale grant', async () => {
    const dir = tmp('relay-prompt');
    const relayData = join(dir, 'relay');
    const port = await freePort();
    const token = await addTechnician(relayData, 'alice');
    const enrollmentToken = await enrollDevice(relayData, 'dev-f1');
    relay = await startRelayProcess(relayData, port);
    const ui = new ScriptedUi();
    const agentData = join(dir, 'agent');
    agent = createAgent({
      policy: { ...DEFAULT_POLICY, relayUrl: relay.url, relayPublicKey: relay.publicKey },
      ui,
      dataDir: agentData,
      deviceId: 'dev-f1',
      enrollmentToken,
      backoff: { baseMs: 100, capMs: 1000 },
    });
    await agent.start();
    await vi.waitFor(() => expect(agent!.status().connection).toBe('connected'), { timeout: 30_000 });

    const tech = await technician(relay.url, token);
    tech.send(ask('dev-f1', 'INC-F1'));
    const view = await ui.nextPrompt();
    const statusesBeforeKill = ui.statuses.length;
    await relay.kill();

    await vi.waitFor(() => expect(ui.aborted).toEqual([{ promptId: view.promptId, reason: 'relay-lost' }]), { timeout: 30_000 });
    await agent.idle();
    expect(agent.grants()).toEqual([]);
    expect(ui.notifications).toContainEqual(expect.objectContaining({ kind: 'request-declined', body: expect.stringContaining('INC-F1') }));
    expect(recordsForTicket(join(agentData, 'audit'), 'INC-F1').find((r) => r.type === 'consent.decision')).toMatchObject({ outcome: 'declined', decidedBy: 'relay-lost', granted: [] });

    // While the relay is down the agent keeps trying, backing off between attempts.
    const attemptsSinceKill = () => ui.statuses.slice(statusesBeforeKill).filter((s) => s.connection === 'connecting').length;
    await vi.waitFor(() => expect(attemptsSinceKill()).toBeGreaterThanOrEqual(3), { timeout: 30_000 });
    expect(agent.status().connection).not.toBe('connected');

    relay = await startRelayProcess(relayData, port);
    await vi.waitFor(() => expect(agent!.status().connection).toBe('connected'), { timeout: 30_000 });

    // No stale grant: the old request is gone; a new one gets its own prompt and nothing carried over.
    expect(agent.grants()).toEqual([]);
    expect(agent.status().session).toBeUndefined();
    const tech2 = await technician(relay.url, token);
    const decision = tech2.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    tech2.send(ask('dev-f1', 'INC-F1-AGAIN'));
    const view2 = await ui.nextPrompt();
    expect(view2.ticket.id).toBe('INC-F1-AGAIN');
    expect(() => ui.answer(view.promptId, ['view', 'control'])).toThrow(/no open prompt/);
    ui.answer(view2.promptId, 'dismiss');
    expect(await decision).toMatchObject({ outcome: 'declined', granted: [] });
    expect(agent.grants()).toEqual([]);
    await agent.stop();
    agent = undefined;
    expect(verifyAuditLog(join(agentData, 'audit'))).toMatchObject({ ok: true });
  });

  it('relay killed during a session: the session ends (relay-lost) with all grants, and the agent comes back without it', async () => {
    const dir = tmp('relay-session');
    const relayData = join(dir, 'relay');
    const port = await freePort();
    const key = await approvalsKey(dir);
    const token = await addTechnician(relayData, 'alice', true);
    const enrollmentToken = await enrollDevice(relayData, 'srv-f2');
    relay = await startRelayProcess(relayData, port, key.publicKey);
    const agentData = join(dir, 'agent');
    agentCli = await startHeadlessAgent(dir, {
      deviceId: 'srv-f2',
      enrollmentToken,
      dataDir: agentData,
      policy: { relayUrl: relay.url, relayPublicKey: relay.publicKey, approvalsPublicKey: key.publicKey, unattendedAllowed: true, unattendedGroups: ['helpdesk'] },
    });
    await agentCli.waitForStderr(/status: connected/);

    const approvalFile = join(dir, 'approval.json');
    writeFileSync(approvalFile, JSON.stringify(await approval(key, { device: 'srv-f2', technician: 'alice', ticket: 'INC-F2', scopes: 'view' })));
    const request = startCli(['request', '--relay', relay.url, '--token', token, '--device', 'srv-f2', '--ticket', 'INC-F2', '--reason', 'Patch the print server', '--scopes', 'view', '--unattended', '--approval', approvalFile, '--json']);
    await request.waitForOutput('"session.started"');
    const sessionId = /"sessionId":"(ses-[^"]+)"/.exec(request.stdout())![1]!;
    await agentCli.waitForStderr(`session: ${sessionId} unattended`);

    await relay.kill();
    await agentCli.waitForStderr(new RegExp(`summary: ${sessionId} ticket INC-F2 ended by relay-lost`));
    await agentCli.waitForStderr(/notify \(session-end\): Remote support session ended: Session for ticket INC-F2 ended \(relay-lost\)/);
    // The technician's side ends too: the request command stops instead of believing the session is live,
    // and exits 1 (other): the session did not end cleanly, whatever was decided.
    const r = await request.done;
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ type: 'relay-lost', detail: `lost the relay during session ${sessionId}; the session did not end cleanly` });

    const mark = agentCli.stderr().length;
    relay = await startRelayProcess(relayData, port, key.publicKey);
    await vi.waitFor(() => expect(agentCli!.stderr().slice(mark)).toMatch(/status: connected [^\n]*, no session\n/), { timeout: 30_000 });
    expect(agentCli.stderr().slice(mark)).not.toMatch(/status: [^\n]*session ses-/);

    await stopProcess(agentCli, 'SIGTERM');
    const types = (await runCli(['audit', 'export', '--ticket', 'INC-F2', '--dir', join(agentData, 'audit')])).stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; by?: string });
    expect(types.map((t) => t.type)).toEqual(['request.received', 'consent.decision', 'consent.confirmed', 'session.started', 'session.ended', 'session.summary']);
    expect(types[4]).toMatchObject({ by: 'relay-lost' });
    expect((await runCli(['audit', 'verify', join(agentData, 'audit')])).code).toBe(0);
  });
});
