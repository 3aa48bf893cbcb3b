// Fault suite: the agent can't write its audit log. It must decline with a
// clear error and grant nothing, never run a session it can't record.
// Real `porchlight agent --headless` processes against a real relay; the
// unattended request carries a valid approval, so only the audit stands in the way.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newMessageId, type Message } from '../../src/protocol/index.js';
import { connectTechnician, type TechnicianClient } from '../../src/cli/technician/technician-client.js';
import { ensureBuilt, runCli, type RunningCli } from '../cli/built-cli.js';
import { startTestRelay, type TestRelay } from '../relay/harness.js';
import { approval, approvalsKey, startHeadlessAgent, stopProcess, tmp, type ApprovalsKey } from './processes.js';
import { CHILD_PROCESS_START_MS, waitUntilOnline } from '../support/wait-until-online.js';

beforeAll(ensureBuilt, 120_000);

let t: TestRelay | undefined;
let agentCli: RunningCli | undefined;
let tech: TechnicianClient | undefined;

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && agentCli) console.error(agentCli.stderr());
  await tech?.close();
  await stopProcess(agentCli);
  await t?.close();
  t = agentCli = tech = undefined;
});

interface World {
  dir: string;
  key: ApprovalsKey;
  techToken: string;
  policy: Record<string, unknown>;
}

async function world(deviceId: string): Promise<World & { enrollmentToken: string }> {
  const dir = tmp('audit');
  const key = await approvalsKey(dir);
  t = await startTestRelay({ approvalsPublicKey: key.publicKey });
  const techToken = await t.addTechnician('alice', { unattended: true });
  const policy = { relayUrl: t.relay.url, relayPublicKey: t.relayKey.publicKey, approvalsPublicKey: key.publicKey, unattendedAllowed: true, unattendedGroups: ['helpdesk'] };
  return { dir, key, techToken, policy, enrollmentToken: await t.enroll(deviceId) };
}

async function waitOnline(deviceId: string): Promise<void> {
  await waitUntilOnline(t!.relay, deviceId, { ms: CHILD_PROCESS_START_MS });
}

/** Send an approved unattended request and collect what the technician gets back. */
async function approvedRequest(w: World, deviceId: string, ticket: string): Promise<{ decision: Message<'session.decision'>; started: () => boolean }> {
  const r = await connectTechnician(t!.relay.url, w.techToken);
  if (!r.ok) throw new Error(r.detail);
  tech = r.client;
  let started = false;
  tech.onMessage((m) => {
    if (m.type === 'session.started') started = true;
  });
  const decision = tech.waitFor((m) => (m.type === 'session.decision' ? m : undefined));
  const token = await approval(w.key, { device: deviceId, technician: 'alice', ticket, scopes: 'view,control' });
  tech.send({ v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ticket }, reason: 'Rotate the service certificate', scopes: ['view', 'control'], mode: 'unattended', estimatedMinutes: 20, approval: { kind: 'manager', token } });
  return { decision: (await decision)!, started: () => started };
}

describe('fault: audit log cannot be written', { timeout: 90_000 }, () => {
  it.skipIf(process.platform !== 'linux').each([
    // sysfs refuses new files to everyone, root included: an existing, unwritable audit dir.
    ['exists but is not writable', () => '/sys'],
    ['cannot be created (a file is in the way)', (dir: string) => (writeFileSync(join(dir, 'not-a-dir'), 'x'), join(dir, 'not-a-dir', 'audit'))],
  ])('audit dir %s: the agent says so, declines an approved request with audit-unavailable, and grants nothing', async (_name, auditDirIn) => {
    const w = await world('srv-f3');
    const auditDir = auditDirIn(w.dir);
    agentCli = await startHeadlessAgent(w.dir, { deviceId: 'srv-f3', enrollmentToken: w.enrollmentToken, dataDir: join(w.dir, 'data'), policy: { ...w.policy, auditDir } });
    await agentCli.waitForStderr(new RegExp(`notify \\(info\\): Porchlight cannot record anything: the audit log in ${auditDir} cannot be written \\(.+\\); every request will be declined`));
    await waitOnline('srv-f3');

    const { decision, started } = await approvedRequest(w, 'srv-f3', 'INC-F3');
    expect(decision).toMatchObject({ outcome: 'declined', granted: [], declined: ['view', 'control'], decidedBy: 'audit-failure', code: 'audit-unavailable', detail: 'the audit log could not be written; nothing was granted' });
    expect(decision.sessionId).toBeUndefined();
    expect(agentCli.child.exitCode).toBeNull();
    // A clean stop waits for all work the agent started: after it, anything an accept would do has happened.
    await stopProcess(agentCli, 'SIGTERM');
    expect(agentCli.stderr()).toMatch(/ stopped$/m);
    expect(started()).toBe(false);
    expect(agentCli.stderr()).not.toMatch(/session: ses-/);
  });

  it.skipIf(process.platform === 'win32')('disk full (writes fail with EFBIG): an approved request is declined with audit-unavailable, nothing granted, and the log still verifies', async () => {
    const w = await world('srv-f4');
    const dataDir = join(w.dir, 'data');
    // 512 bytes per file: the device key and the agent.started record fit, no request record does.
    agentCli = await startHeadlessAgent(w.dir, { deviceId: 'srv-f4', enrollmentToken: w.enrollmentToken, dataDir, policy: w.policy }, { fileSizeLimitBytes: 512 });
    await agentCli.waitForStderr(/status: connected/);
    await waitOnline('srv-f4');

    const { decision, started } = await approvedRequest(w, 'srv-f4', 'INC-F4');
    expect(decision).toMatchObject({ outcome: 'declined', granted: [], decidedBy: 'audit-failure', code: 'audit-unavailable' });
    expect(agentCli.child.exitCode).toBeNull();
    // A clean stop waits for all work the agent started: after it, anything an accept would do has happened.
    await stopProcess(agentCli, 'SIGTERM');
    expect(agentCli.stderr()).toMatch(/ stopped$/m);
    expect(started()).toBe(false);
    expect(agentCli.stderr()).not.toMatch(/session: ses-/);

    // The failed writes left no partial line behind: what is on disk still verifies, and holds no grant.
    const auditDir = join(dataDir, 'audit');
    const verify = await runCli(['audit', 'verify', auditDir]);
    expect(verify.code).toBe(0);
    const types = readdirSync(auditDir).flatMap((f) => readFileSync(join(auditDir, f), 'utf8').trim().split('\n')).map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).not.toContain('consent.decision');
    expect(types).not.toContain('session.started');
  });
});
