// Issue 20, end to end: `porchlight approve --uses N` and `porchlight request --unattended` from the built CLI,
// a real `porchlight relay` process, and the agent core (createAgent) whose user is at the desk or away.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createAgent, type Agent } from '../../src/core/agent.js';
import { DEFAULT_POLICY } from '../../src/core/policy/schema.js';
import type { UiPort } from '../../src/core/ui-port.js';
import type { ConsentAnswer, ConsentView } from '../../src/shared/view-models.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { keyFingerprint } from '../../src/protocol/signing.js';
import { DATABASE_FILE } from '../../src/relay/data-dir.js';
import { addTechnician, approvalsKey, enrollDevice, freePort, startRelayProcess, tmp, type ApprovalsKey, type RelayProcess } from '../fault/processes.js';
import { until } from '../support/bounded-wait.js';
import { ensureBuilt, runCli, startCli } from './built-cli.js';

const DEVICE = 'desk-7';
let relay: RelayProcess;
let relayData: string;
let key: ApprovalsKey;
let techToken: string;
let agent: Agent;
let dir: string;
/** What the user at the desk does with the next prompt (undefined: nobody is there to answer). */
let user: ((view: ConsentView) => ConsentAnswer) | undefined;
const prompts: ConsentView[] = [];
const lock = { on: false, screenLocked: () => lock.on };

const ui: UiPort = {
  setStatus: () => undefined,
  showConsent(view, signal) {
    prompts.push(view);
    const answer = user?.(view);
    if (answer) return Promise.resolve(answer);
    // Nobody answers: the page's own countdown runs out.
    return new Promise((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'dismissed', promptId: view.promptId })));
  },
  showBanner: () => undefined,
  hideBanner: () => undefined,
  showSummary: () => undefined,
  notify: () => undefined,
};

beforeAll(async () => {
  await ensureBuilt();
  dir = tmp('away');
  relayData = join(dir, 'relay');
  key = await approvalsKey(dir);
  relay = await startRelayProcess(relayData, await freePort(), key.publicKey);
  techToken = await addTechnician(relayData, 'alice', true);
  agent = createAgent({
    deviceId: DEVICE,
    ui,
    screenLock: lock,
    dataDir: join(dir, 'agent'),
    enrollmentToken: await enrollDevice(relayData, DEVICE),
    policy: { ...DEFAULT_POLICY, relayUrl: relay.url, relayPublicKey: relay.publicKey, approvalsPublicKey: key.publicKey, unattendedAllowed: true, unattendedGroups: ['helpdesk'] },
  });
  await agent.start();
  await until(() => agent.status().connection === 'connected', 'the agent to be connected', () => JSON.stringify(agent.status()));
}, 180_000);

afterAll(async () => {
  await agent?.stop();
  await relay?.stop();
});

/** `porchlight approve` for this device and technician, `uses` sessions. */
async function approvalFile(ticket: string, uses?: number): Promise<string> {
  const out = join(dir, `approval-${ticket}.json`);
  const r = await runCli(['approve', '--key', key.file, '--device', DEVICE, '--technician', 'alice', '--scopes', 'view,control', '--ticket', ticket, '--reference', 'CHG-7781', '--approver', 'Maria Manager', '--expires', '60', ...(uses ? ['--uses', String(uses)] : []), '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

const request = (ticket: string, approval: string, json = false) => [
  'request', '--relay', relay.url, '--token', techToken, '--device', DEVICE, '--ticket', ticket, '--reason', 'Nightly patch run',
  '--scopes', 'view,control', '--unattended', '--approval', approval, ...(json ? ['--json'] : []),
];

/** Run a request the approval grants: wait for the session, the user ends it, the CLI exits. */
async function grantedRun(ticket: string, approval: string) {
  const cli = startCli(request(ticket, approval));
  await cli.waitForOutput(/session (\S+) started/);
  const sessionId = agent.status().session!.sessionId;
  await agent.endSession(sessionId);
  return cli.done;
}

async function centralDecisions(ticketId: string) {
  const storage = new SqliteStorage(join(relayData, DATABASE_FILE));
  try {
    return (await storage.queryAudit({ ticketId, kinds: ['decision'] })).map((r) => r.data as Record<string, unknown>);
  } finally {
    await storage.close();
  }
}

describe('a manager approval asks a present user first (built CLI, relay process, agent core)', { timeout: 90_000 }, () => {
  it('the user at the desk declines: the approval does not override them, the technician reads why', async () => {
    lock.on = false;
    user = (view) => ({ kind: 'decision', promptId: view.promptId, granted: [] });
    const file = await approvalFile('INC-AW-1');
    const r = await runCli(request('INC-AW-1', file));
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('decision: declined (user): declined by user (approval not used)');
    expect(prompts.at(-1)).toMatchObject({ approvalIfNoAnswer: true, mode: { kind: 'unattended', approver: 'Maria Manager', reference: 'CHG-7781' } });
    expect(await centralDecisions('INC-AW-1')).toEqual([expect.objectContaining({ outcome: 'declined', decidedBy: 'user', code: 'approval-not-used', approvalPath: 'user-declined' })]);
    // The use went back: the same single-use approval still applies once the user is away.
    lock.on = true;
    const later = await grantedRun('INC-AW-1', file);
    expect(later.code, later.stdout + later.stderr).toBe(0);
    expect(later.stdout).toContain('decision: accepted (approval)');
    expect((await centralDecisions('INC-AW-1')).at(-1)).toMatchObject({ decidedBy: 'approval', approvalPath: 'screen-locked' });
  });

  it("the ticket's evidence bundle verifies: the device signed each decision with its approval path", async () => {
    const out = join(dir, 'INC-AW-1-evidence.json');
    const made = await runCli(['evidence', '--data', relayData, '--ticket', 'INC-AW-1', '--out', out]);
    expect(made.code, made.stdout + made.stderr).toBe(0);
    const verified = await runCli(['evidence', 'verify', out, '--relay-key', keyFingerprint(relay.publicKey)]);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/VERIFIED: ticket INC-AW-1/);
  });

  it('--json: the decline is one decision event with code approval-not-used', async () => {
    lock.on = false;
    user = (view) => ({ kind: 'dismissed', promptId: view.promptId, reason: 'escape' });
    const r = await runCli(request('INC-AW-2', await approvalFile('INC-AW-2'), true));
    expect(r.code).toBe(4);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ type: 'session.decision', outcome: 'declined', decidedBy: 'escape', code: 'approval-not-used', detail: 'declined by user (approval not used)', approvalPath: 'user-declined' });
  });

  it('nobody answers before the prompt runs out: the approval applies, both audits say so', async () => {
    lock.on = false;
    user = (view) => ({ kind: 'dismissed', promptId: view.promptId, reason: 'timeout' });
    const r = await grantedRun('INC-AW-3', await approvalFile('INC-AW-3'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('decision: accepted (approval)');
    expect(await centralDecisions('INC-AW-3')).toEqual([expect.objectContaining({ decidedBy: 'approval', approvalPath: 'no-answer' })]);
  });

  it('approve --uses 2: two sessions, the third is refused by the relay with approval-used-up (exit 6)', async () => {
    lock.on = true;
    const file = await approvalFile('INC-AW-4', 2);
    for (let i = 0; i < 2; i++) expect((await grantedRun('INC-AW-4', file)).code).toBe(0);
    const seen = prompts.length;
    const third = await runCli(request('INC-AW-4', file, true));
    expect(third.code).toBe(6);
    const last = JSON.parse(third.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(last).toMatchObject({ type: 'session.decision', outcome: 'blocked', decidedBy: 'relay', code: 'approval-used-up', detail: 'approval CHG-7781 has been used 2 of 2 time(s)' });
    expect(prompts.length).toBe(seen);
    expect(await centralDecisions('INC-AW-4')).toHaveLength(2);
  });
});
