// `porchlight agent --headless` as a child process (the built CLI) against a
// real relay on 127.0.0.1:0: attended requests decline with no-user-present,
// an unattended request with an approval from `porchlight approve` runs, and
// SIGTERM ends the live session at the technician's side (agent-exit).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { readKeyPairFile } from '../../src/relay/relay-key.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { ensureBuilt, runCli, startCli, type RunningCli } from './built-cli.js';
import { CHILD_PROCESS_START_MS, waitUntilOnline } from '../support/wait-until-online.js';

beforeAll(ensureBuilt, 120_000);

const DEVICE = 'srv-17';
let t: TestRelay | undefined;
let agentCli: RunningCli | undefined;
let tech: TechnicianClient | undefined;

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && agentCli) console.error(agentCli.stderr());
  await tech?.close();
  if (agentCli && agentCli.child.exitCode === null) {
    agentCli.child.kill('SIGKILL');
    await agentCli.done;
  }
  await t?.close();
  t = agentCli = tech = undefined;
});

/** A node-only PATH: no notify-send, so node-notifier fails the way it does on a server without a desktop. */
const NO_DESKTOP_ENV = { PATH: dirname(process.execPath) };

interface Setup {
  dir: string;
  approvalsKeyFile: string;
  techToken: string;
  configFile: string;
  dataDir: string;
}

async function setUp(policy: Record<string, unknown> = {}, relayTrustsApprovalsKey?: string): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'pl-headless-'));
  const approvalsKeyFile = join(dir, 'approvals-key.json');
  expect((await runCli(['keys', 'generate', '--approvals', '--out', approvalsKeyFile])).code).toBe(0);
  const approvalsPublicKey = readKeyPairFile(approvalsKeyFile).publicKey;
  t = await startTestRelay({ approvalsPublicKey: relayTrustsApprovalsKey ?? approvalsPublicKey });
  const techToken = await t.addTechnician('alice', { unattended: true });
  const configFile = join(dir, 'agent.json');
  const dataDir = join(dir, 'data');
  const config = {
    deviceId: DEVICE,
    enrollmentToken: await t.enroll(DEVICE),
    dataDir: join(dir, 'ignored-because-of---data'),
    policy: { relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey, approvalsPublicKey, unattendedAllowed: true, unattendedGroups: ['helpdesk'], ...policy },
  };
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  return { dir, approvalsKeyFile, techToken, configFile, dataDir };
}

async function startHeadless(s: Setup): Promise<RunningCli> {
  agentCli = startCli(['agent', '--headless', '--config', s.configFile, '--data', s.dataDir], NO_DESKTOP_ENV);
  await agentCli.waitForStderr(/started: device srv-17/);
  await agentCli.waitForStderr(/status: connected/);
  await waitUntilOnline(t!.relay, DEVICE, { ms: CHILD_PROCESS_START_MS });
  return agentCli;
}

async function technician(token: string): Promise<TechnicianClient> {
  const r = await connectTechnician(t!.relay.url, token);
  if (!r.ok) throw new Error(r.detail);
  tech = r.client;
  return r.client;
}

type ManagerToken = Extract<NonNullable<Message<'tech.request'>['approval']>, { kind: 'manager' }>['token'];

const ask = (over: Partial<Message<'tech.request'>> = {}): Message<'tech.request'> => ({
  v: 1, type: 'tech.request', id: newMessageId(), deviceId: DEVICE, ticket: { id: 'INC-HL-1' }, reason: 'Disk full on the print server', scopes: ['view', 'control'], mode: 'attended', estimatedMinutes: 15, ...over,
});

describe('porchlight agent --headless (child process against a real relay)', { timeout: 90_000 }, () => {
  it('declines an attended request with no-user-present, as the technician CLI sees it', async () => {
    const s = await setUp();
    const agent = await startHeadless(s);
    const r = await runCli(['request', '--relay', t!.relay.url, '--token', s.techToken, '--device', DEVICE, '--ticket', 'INC-HL-1', '--reason', 'Printer queue stuck', '--scopes', 'view', '--json']);
    expect(r.code).toBe(4);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.at(-1)).toMatchObject({ type: 'session.decision', outcome: 'no-user-present', granted: [], decidedBy: 'no-user' });
    await agent.waitForStderr(/notify \(request-declined\)/);
    agent.child.kill('SIGTERM');
    const done = await agent.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/stopped\n$/);
    // The decision is in the agent's own audit log, which verifies.
    const verify = await runCli(['audit', 'verify', join(s.dataDir, 'audit')]);
    expect(verify.code).toBe(0);
    const exported = await runCli(['audit', 'export', '--ticket', 'INC-HL-1', '--dir', join(s.dataDir, 'audit')]);
    const types = exported.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string; outcome?: string }));
    expect(types).toEqual([expect.objectContaining({ type: 'request.received' }), expect.objectContaining({ type: 'consent.decision', outcome: 'no-user-present' })]);
  });

  it('runs an unattended request with an approval from porchlight approve; SIGTERM ends the session at the technician (agent-exit)', async () => {
    const s = await setUp();
    const agent = await startHeadless(s);
    const approvalFile = join(s.dir, 'approval.json');
    const approve = await runCli(['approve', '--key', s.approvalsKeyFile, '--device', DEVICE, '--technician', 'alice', '--scopes', 'view,control', '--ticket', 'INC-HL-2', '--reference', 'CHG-1234', '--approver', 'Maria Manager', '--expires', '60', '--out', approvalFile]);
    expect(approve.code).toBe(0);
    const token = JSON.parse(readFileSync(approvalFile, 'utf8')) as ManagerToken;

    const c = await technician(s.techToken);
    const decision = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    const started = c.waitFor((m) => (m.type === 'session.started' ? m : undefined));
    c.send(ask({ ticket: { id: 'INC-HL-2' }, mode: 'unattended', approval: { kind: 'manager', token } }));
    expect(await decision).toMatchObject({ outcome: 'accepted', granted: ['view', 'control'], decidedBy: 'approval' });
    const { sessionId } = (await started)!;
    // The desktop user is told; without a desktop, node-notifier fails and that is only logged.
    await agent.waitForStderr(/notify \(unattended-start\): Unattended remote support started: Alice Tech is connected for ticket INC-HL-2, approved by Maria Manager/);
    await agent.waitForStderr(/notify failed: /);
    await agent.waitForStderr(new RegExp(`session: ${sessionId} unattended \\(approved by Maria Manager, ref CHG-1234\\) ticket INC-HL-2`));
    expect(agent.child.exitCode).toBeNull();

    const ended = c.waitFor((m) => (m.type === 'session.end' ? m : undefined));
    const summary = c.waitFor((m) => (m.type === 'session.summary' ? m : undefined));
    agent.child.kill('SIGTERM');
    expect(await ended).toMatchObject({ sessionId, by: 'agent-exit' });
    expect((await summary)!.summary).toMatchObject({ sessionId, endedBy: 'agent-exit', scopesGranted: ['view', 'control'] });
    const done = await agent.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/summary: .* ended by agent-exit/);
    expect((await runCli(['audit', 'verify', join(s.dataDir, 'audit')])).code).toBe(0);
  });

  it('refuses an unattended approval signed by a key other than the pinned approvals key, even when the relay accepts it', async () => {
    // A compromised relay: it trusts a key IT never issued, so only the agent's own check stands in the way.
    const rogueKey = join(mkdtempSync(join(tmpdir(), 'pl-headless-rogue-')), 'rogue-key.json');
    expect((await runCli(['keys', 'generate', '--approvals', '--out', rogueKey])).code).toBe(0);
    const s = await setUp({}, readKeyPairFile(rogueKey).publicKey);
    await startHeadless(s);
    const forged = join(s.dir, 'forged.json');
    expect((await runCli(['approve', '--key', rogueKey, '--device', DEVICE, '--technician', 'alice', '--scopes', 'view', '--ticket', 'INC-HL-3', '--reference', 'CHG-1', '--approver', 'Mallory', '--expires', '60', '--out', forged])).code).toBe(0);
    const token = JSON.parse(readFileSync(forged, 'utf8')) as ManagerToken;
    const c = await technician(s.techToken);
    const decision = c.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
    c.send(ask({ ticket: { id: 'INC-HL-3' }, scopes: ['view'], mode: 'unattended', approval: { kind: 'manager', token } }));
    expect(await decision).toMatchObject({ outcome: 'blocked', granted: [], code: 'bad-approval' });
  });

  it('without --headless points to the desktop app and exits 2', async () => {
    const r = await runCli(['agent']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('npm start');
    expect(r.stderr).toContain('--headless');
  });

  it('exits 1 naming the problem when the config file is invalid or missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pl-headless-cfg-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ deviceId: 'srv 1', policy: { unattendedAllowed: 'yes' } }));
    const r = await runCli(['agent', '--headless', '--config', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/config-invalid: .*bad\.json: .*deviceId/);
    const missing = await runCli(['agent', '--headless', '--config', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/config-unreadable: cannot read .*nope\.json: ENOENT/);
  });

  it('has --help', async () => {
    const r = await runCli(['agent', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: porchlight agent --headless/);
  });
});
