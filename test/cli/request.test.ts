// `porchlight request` as a child process against a real relay and a scripted agent.
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519KeyPair, newMessageId, signApprovalToken, type Message } from '../../src/protocol/index.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { acceptAndFinish, acceptAndStay, block, connectAgent, decide, decline, expire, type ScriptedAgent } from '../relay/scripted-agent.js';
import { addTechnician, enrollDevice, freePort, startRelayProcess, stopProcess, tmp } from '../fault/processes.js';
import { ensureBuilt, runCli, startCli } from './built-cli.js';
import { until } from '../support/bounded-wait.js';

const approvalsKey = generateEd25519KeyPair();
let t: TestRelay;
let token: string;
let agent: ScriptedAgent;
const dir = mkdtempSync(join(tmpdir(), 'pl-request-'));

beforeAll(ensureBuilt, 120_000);
beforeEach(async () => {
  t = await startTestRelay({ approvalsPublicKey: approvalsKey.publicKey });
  token = await t.addTechnician('alice', { unattended: true });
  agent = await t.agent('dev-1');
});
afterEach(() => t.close());
afterAll(() => undefined);

const base = () => ['request', '--relay', t.relay.url, '--token', token, '--device', 'dev-1', '--ticket', 'INC42', '--reason', 'VPN drops every hour', '--scopes', 'view,control'];
const jsonLines = (stdout: string) => stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string } & Record<string, unknown>);

describe('porchlight request exit codes', () => {
  it('exits 0 when every scope is accepted, printing each event as one JSON line', async () => {
    agent.answer = acceptAndFinish();
    const r = await runCli([...base(), '--json']);
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout);
    // First the device key the CLI fetched and will verify the device's signatures with.
    expect(events.map((e) => e.type)).toEqual(['device-key', 'session.pending', 'session.decision', 'session.started', 'session.end', 'session.summary']);
    expect(events[1]!.verificationCode).toMatch(/^\d{6}$/);
    expect(events[2]).toMatchObject({ signatureVerified: true, deviceKeyFingerprint: events[0]!.fingerprint });
  });

  it('prints the verification code and the decision per scope for people', async () => {
    agent.answer = acceptAndFinish(['view']);
    const r = await runCli(base());
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/verification code: \d{6} {2}\(read this to the user/);
    expect(r.stdout).toMatch(/view +granted/);
    expect(r.stdout).toMatch(/control +declined/);
  });

  it.each([
    ['declined', decline, 4],
    ['no user present', (req: Message<'session.request'>) => [decide(req, 'no-user-present', [])], 4],
    ['expired', expire, 5],
    ['blocked by policy', block, 6],
  ] as const)('exits with the code for %s', async (_name, answer, code) => {
    agent.answer = answer;
    const r = await runCli([...base(), '--json']);
    expect(r.code).toBe(code);
    expect(jsonLines(r.stdout).at(-1)).toMatchObject({ type: 'session.decision' });
  });

  it('exits 7 when the agent is offline', async () => {
    await agent.close();
    await until(() => !t.relay.router.isOnline('dev-1'), 'dev-1 to be offline', () => 'still online');
    const r = await runCli([...base(), '--json']);
    expect(r.code).toBe(7);
    expect(jsonLines(r.stdout)).toEqual([
      expect.objectContaining({ type: 'device-key' }),
      expect.objectContaining({ type: 'session.decision', outcome: 'offline', decidedBy: 'relay', code: 'agent-offline' }),
    ]);
  });

  it('exits 7 for a device the relay never enrolled: it has no key to verify, so nothing is sent', async () => {
    const r = await runCli([...base().map((a) => (a === 'dev-1' ? 'dev-gone' : a)), '--json']);
    expect(r.code).toBe(7);
    expect(jsonLines(r.stdout)).toEqual([expect.objectContaining({ type: 'session.decision', outcome: 'offline', decidedBy: 'relay', code: 'unknown-device' })]);
  });

  it('exits 8 with a bad token, and takes the token from PORCHLIGHT_TOKEN', async () => {
    const args = base();
    args.splice(args.indexOf('--token'), 2);
    expect((await runCli(args, { PORCHLIGHT_TOKEN: 'A'.repeat(43) })).code).toBe(8);
    agent.answer = decline;
    expect((await runCli(args, { PORCHLIGHT_TOKEN: token })).code).toBe(4);
  });

  it('exits 6 when the technician group may not ask for a scope', async () => {
    const limited = await t.addTechnician('victor', { scopes: ['view'] });
    const args = base();
    args[args.indexOf(token)] = limited;
    expect((await runCli(args)).code).toBe(6);
  });

  it('exits 2 on a usage error', async () => {
    expect((await runCli(['request', '--relay', t.relay.url, '--token', token])).code).toBe(2);
    expect((await runCli([...base(), '--scopes', 'view,root'])).code).toBe(2);
  });

  it('ends a live session cleanly on Ctrl-C and records the ticket outcome', async () => {
    agent.answer = acceptAndStay();
    const cli = startCli([...base(), '--close-outcome', 'resolved']);
    await cli.waitForOutput('started');
    const end = agent.next('session.end');
    cli.child.kill('SIGINT');
    const ended = await end;
    expect(ended.by).toBe('technician');
    // The agent answers with its own end and summary; the CLI then records the outcome.
    agent.send({ v: 1, type: 'session.end', id: 'e-1', sessionId: ended.sessionId, by: 'technician' });
    const r = await cli.done;
    expect(r.code).toBe(0);
    const close = await t.storage.queryAudit({ ticketId: 'INC42', kinds: ['close'] });
    expect(close).toEqual([expect.objectContaining({ sessionId: ended.sessionId, data: { outcome: 'resolved' } })]);
  });
});

describe('porchlight request when the relay goes away', () => {
  /** Stop the in-process relay mid-test; afterEach then closes a fresh one. */
  async function stopRelay(): Promise<void> {
    const old = t;
    await old.relay.close();
    t = await startTestRelay();
    await agent.close();
    await old.storage.close();
  }

  it('exits 1 with "lost the relay" when the relay shuts down mid-session', async () => {
    agent.answer = acceptAndStay();
    const cli = startCli(base());
    await cli.waitForOutput('started');
    await stopRelay();
    const r = await cli.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('lost the relay');
  });

  it('exits 1 with "lost the relay" when the relay process is killed mid-session', { timeout: 60_000 }, async () => {
    const data = tmp('request-relay-kill');
    const alice = await addTechnician(data, 'alice');
    const enrollmentToken = await enrollDevice(data, 'dev-k');
    const relay = await startRelayProcess(data, await freePort());
    try {
      const connected = await connectAgent(relay.url, { deviceId: 'dev-k', enrollmentToken });
      if (!connected.ok) throw new Error('agent did not connect');
      connected.agent.answer = acceptAndStay();
      const cli = startCli(['request', '--relay', relay.url, '--token', alice, '--device', 'dev-k', '--ticket', 'INC43', '--reason', 'VPN', '--scopes', 'view', '--json']);
      await cli.waitForOutput('session.started');
      await stopProcess(relay.cli, 'SIGKILL');
      const r = await cli.done;
      expect(r.code).toBe(1);
      expect(jsonLines(r.stdout).at(-1)).toMatchObject({ type: 'relay-lost', detail: expect.stringContaining('lost the relay') });
      await connected.agent.close();
    } finally {
      await stopProcess(relay.cli, 'SIGKILL');
    }
  });

  it("keeps the decision's exit code when the session had already ended cleanly", async () => {
    agent.answer = acceptAndStay();
    const cli = startCli(base());
    await cli.waitForOutput('started');
    const sessionId = (await t.storage.queryAudit({ ticketId: 'INC42', kinds: ['session-started'] }))[0]!.sessionId!;
    // The user ends it; the relay dies before the summary arrives.
    agent.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'user', reason: 'done' });
    await cli.waitForOutput('ended by user');
    await stopRelay();
    const r = await cli.done;
    expect(r, JSON.stringify(r)).toMatchObject({ code: 0 });
    expect(r.stderr).not.toContain('did not end cleanly');
  });

  it("ends a partially granted session on Ctrl-C and exits with the decision's code (3)", async () => {
    agent.answer = (req) => {
      const p = req.payload;
      const sessionId = `ses-${p.requestId}`;
      const at = new Date().toISOString();
      return [
        decide(req, 'partial', ['view'], { sessionId }),
        { v: 1, type: 'session.started', id: newMessageId(), sessionId, requestId: p.requestId, scopes: ['view'], mode: p.mode, startedAt: at, endsAt: new Date(Date.now() + 600_000).toISOString() },
      ];
    };
    const cli = startCli(base());
    await cli.waitForOutput('started');
    const end = agent.next('session.end');
    cli.child.kill('SIGINT');
    const ended = await end;
    agent.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId: ended.sessionId, by: 'technician' });
    const r = await cli.done;
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('ending the session');
    expect(r.stderr).not.toContain('lost the relay');
  });

  it('withdraws a pending request on Ctrl-C (the agent is told) and exits 1', async () => {
    const cli = startCli(base());
    await cli.waitForOutput('verification code');
    const cancel = agent.next('session.cancel');
    cli.child.kill('SIGINT');
    expect(await cancel).toMatchObject({ type: 'session.cancel' });
    const r = await cli.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('request withdrawn');
  });
});

describe('porchlight request --outcome', () => {
  it('records the ticket outcome in the central audit when the session ends', async () => {
    agent.answer = acceptAndFinish();
    const r = await runCli([...base(), '--outcome', 'follow-up']);
    expect(r.code).toBe(0);
    const [decision] = await t.storage.queryAudit({ ticketId: 'INC42', kinds: ['decision'] });
    const close = await t.storage.queryAudit({ ticketId: 'INC42', kinds: ['close'] });
    expect(close).toEqual([expect.objectContaining({ technicianId: 'alice', sessionId: decision!.sessionId, data: { outcome: 'follow-up' } })]);
  });

  it('refuses an unknown outcome', async () => {
    const r = await runCli([...base(), '--outcome', 'fixed']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--outcome must be one of resolved, follow-up, escalated');
  });
});

describe('unattended access with approval tokens', () => {
  function approvalFile(name: string, over: Record<string, unknown> = {}, key = approvalsKey): string {
    const now = Date.now();
    const token = signApprovalToken(
      {
        v: 1,
        kind: 'approval',
        deviceId: 'dev-1',
        technicianId: 'alice',
        scopes: ['view', 'control'],
        ticketId: 'INC42',
        reference: 'mail:approval-42',
        approver: 'Maria Manager',
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 3600_000).toISOString(),
        nonce: 'YXBwcm92YWwtbm9uY2UtMDAwMQ',
        ...over,
      } as Parameters<typeof signApprovalToken>[0],
      key,
    );
    const path = join(dir, `${name}.json`);
    writeFileSync(path, JSON.stringify(token));
    return path;
  }

  it('forwards a valid approval made with porchlight approve and records it', async () => {
    const keyFile = join(dir, `approvals-${Date.now()}.json`);
    const gen = await runCli(['keys', 'generate', '--approvals', '--out', keyFile]);
    expect(gen.code).toBe(0);
    const { readKeyPairFile } = await import('../../src/relay/relay-key.js');
    await t.close();
    t = await startTestRelay({ approvalsPublicKey: readKeyPairFile(keyFile).publicKey });
    token = await t.addTechnician('alice', { unattended: true });
    agent = await t.agent('dev-1');
    const out = join(dir, `approval-${Date.now()}.json`);
    const approve = await runCli(['approve', '--key', keyFile, '--device', 'dev-1', '--technician', 'alice', '--scopes', 'view,control', '--ticket', 'INC42', '--reference', 'mail:42', '--approver', 'Maria Manager', '--expires', '60', '--out', out]);
    expect(approve.code).toBe(0);
    agent.answer = acceptAndFinish();
    const r = await runCli([...base(), '--unattended', '--approval', out]);
    expect(r.code).toBe(0);
    const forwarded = (await t.storage.queryAudit({ ticketId: 'INC42', kinds: ['request'] }))[0]!;
    expect(forwarded.data).toMatchObject({ mode: 'unattended', approval: { kind: 'manager', approver: 'Maria Manager', reference: 'mail:42' } });
  });

  it.each([
    ['for another device', { deviceId: 'dev-9' }, undefined],
    ['expired', { issuedAt: new Date(Date.now() - 7200_000).toISOString(), expiresAt: new Date(Date.now() - 3600_000).toISOString() }, undefined],
    ['signed by another key', {}, generateEd25519KeyPair()],
  ])('refuses an approval %s with exit 6 before the agent sees it', async (name, over, key) => {
    const r = await runCli([...base(), '--unattended', '--approval', approvalFile(name.replace(/\s/g, '-'), over, key), '--json']);
    expect(r.code).toBe(6);
    expect(jsonLines(r.stdout)).toEqual([
      expect.objectContaining({ type: 'device-key' }),
      expect.objectContaining({ type: 'session.decision', outcome: 'blocked', decidedBy: 'relay', code: 'bad-approval', granted: [], declined: ['view', 'control'] }),
    ]);
    expect(agent.received.filter((m) => m.type === 'session.request')).toEqual([]);
  });

  it('counts uses at the relay even when the device does not: approve --uses 2, a third request never reaches it (exit 6)', async () => {
    // A scripted device that applies every approval it is sent: the agent's own count is not there.
    const applied: string[] = [];
    agent.answer = (req) => {
      applied.push(req.payload.requestId);
      return acceptAndFinish()(req, agent).map((m) => (m.type === 'session.decision' ? { ...m, decidedBy: 'approval' as const, approvalPath: 'headless' as const } : m));
    };
    const file = approvalFile('two-uses', { uses: 2 });
    expect((await runCli([...base(), '--unattended', '--approval', file])).code).toBe(0);
    expect((await runCli([...base(), '--unattended', '--approval', file])).code).toBe(0);
    const third = await runCli([...base(), '--unattended', '--approval', file]);
    expect(third.code).toBe(6);
    expect(third.stderr + third.stdout).toContain('approval-used-up: approval mail:approval-42 has been used 2 of 2 time(s)');
    expect(applied).toHaveLength(2);
    const requests = await t.storage.queryAudit({ ticketId: 'INC42', kinds: ['request', 'rejected'] });
    expect(requests.map((r) => [r.kind, (r.data as { approval?: { use?: number } }).approval?.use ?? (r.data as { code?: string }).code])).toEqual([
      ['request', 1],
      ['request', 2],
      ['rejected', 'approval-used-up'],
    ]);
  });

  it('gives a use back when a user at the device decided instead of the approval', async () => {
    agent.answer = decline;
    const file = approvalFile('one-use');
    expect((await runCli([...base(), '--unattended', '--approval', file])).code).toBe(4);
    agent.answer = acceptAndFinish();
    expect((await runCli([...base(), '--unattended', '--approval', file])).code).toBe(0);
  });

  it("refuses unattended access for a technician added without --unattended, naming that flag (not the group) as the cause", async () => {
    const attendedOnly = await t.addTechnician('victor');
    const args = [...base(), '--emergency', 'Ransomware spreading', '--incident', 'SEC-7'];
    args[args.indexOf(token)] = attendedOnly;
    const r = await runCli(args);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('technician victor is not allowed unattended access (add the technician with relay add-technician --unattended)');
    expect(r.stderr).not.toMatch(/group .* may not/);
  });
});
