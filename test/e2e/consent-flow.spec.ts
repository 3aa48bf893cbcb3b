// End to end: the built `porchlight request` command -> the relay process ->
// the real agent core -> the consent page in Chromium -> a click -> the
// decision back in the CLI's exit code and JSON -> the banner -> the summary
// -> both audit logs verify and export by ticket. Only the Electron window
// layer is swapped for Chromium pages (chromium-ui.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { generateEd25519KeyPair } from '../../src/protocol/index.js';
import { auditRecordHash, verifyAuditChain, type AuditRecord } from '../../src/relay/audit/audit-record.js';
import { DATABASE_FILE } from '../../src/relay/data-dir.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { runCli } from '../cli/built-cli.js';
import { assertRendererBuilt, serveRenderer, type StaticServer } from '../renderer/static-server.js';
import { requestCli, startAgentWorld, type AgentWorld } from './agent-world.js';
import { startRelayProcess, type RelayProcess } from './relay-process.js';

const approvals = generateEd25519KeyPair();
let relay: RelayProcess;
let renderer: StaticServer;
let world: AgentWorld | undefined;
let techs = 0;

test.beforeAll(async () => {
  assertRendererBuilt(['consent', 'banner', 'summary']);
  renderer = await serveRenderer();
  relay = await startRelayProcess({ approvalsPublicKey: approvals.publicKey });
});
test.afterAll(async () => {
  expect(await relay.stop()).toBe(0);
  await renderer.close();
});
test.afterEach(async () => {
  if (world) {
    expect(world.ui.refused).toEqual([]);
    expect(world.ui.pageErrors).toEqual([]);
    await world.stop();
  }
  world = undefined;
});

const start = async (context: Parameters<typeof startAgentWorld>[0], o: Parameters<typeof startAgentWorld>[3] = {}) => (world = await startAgentWorld(context, renderer.url, relay, o));
/** A technician of its own per test, so per-technician rate limits never couple tests. */
const newTechnician = (o: Parameters<RelayProcess['addTechnician']>[1] = {}) => relay.addTechnician(`tech-${process.pid}-${++techs}`, o);
const allow = (page: Page) => page.getByRole('button', { name: 'Allow selected' });

/** Wait for Allow to arm (1 s of focus), then click it with the mouse. */
async function clickAllowWhenArmed(page: Page): Promise<void> {
  await expect(allow(page)).toHaveAttribute('aria-disabled', 'false');
  await allow(page).click();
}

function agentAudit(dir: string): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
}

/** The relay's whole central chain verifies, and each of the ticket's exported records hashes to itself. */
async function expectRelayAuditVerifies(ticketId: string, kinds: string[]): Promise<void> {
  const exported = await relay.auditOf(ticketId);
  expect(exported.map((r) => r.kind)).toEqual(expect.arrayContaining(kinds));
  for (const r of exported) expect(auditRecordHash(r as unknown as AuditRecord)).toBe(r.hash);
  const storage = new SqliteStorage(join(relay.dataDir, DATABASE_FILE));
  try {
    const all = await storage.queryAudit({});
    expect(all.length).toBeGreaterThanOrEqual(exported.length);
    expect(verifyAuditChain(all)).toEqual({ ok: true });
  } finally {
    await storage.close();
  }
}

test.describe('end to end: technician CLI -> relay -> agent -> Chromium consent page', () => {
  test('accept: decision in the CLI, banner with scopes and time, technician ends, summary, both audits verify and export', async ({ context }) => {
    const w = await start(context);
    const token = await newTechnician({ display: 'Alice Moreau' });
    const cli = requestCli(relay, token, ['--device', w.deviceId, '--ticket', 'INC-E2E-1', '--reason', 'Outlook crashes on start', '--scopes', 'view,control', '--minutes', '20']);
    const pending = await cli.event('session.pending');

    const consent = await w.ui.page('consent');
    await expect(consent.getByRole('heading', { level: 1 })).toHaveText('Alice Moreau wants to connect to this computer');
    await expect(consent.locator('.code')).toContainText(`${String(pending.verificationCode).slice(0, 3)} ${String(pending.verificationCode).slice(3)}`);
    await expect(consent.getByText('INC-E2E-1')).toBeVisible();
    await expect(consent.getByText('Outlook crashes on start')).toBeVisible();
    await clickAllowWhenArmed(consent);

    const decision = await cli.event('session.decision');
    expect(decision).toMatchObject({ outcome: 'accepted', granted: ['view', 'control'], declined: [], decidedBy: 'user', grantedMinutes: 20 });
    const started = await cli.event('session.started');
    expect(started.scopes).toEqual(['view', 'control']);

    const banner = await w.ui.page('banner');
    await expect(banner.getByText('Alice Moreau is connected')).toBeVisible();
    await expect(banner.getByText('Ticket INC-E2E-1')).toBeVisible();
    await expect(banner.getByRole('list', { name: 'Access' }).getByRole('listitem')).toHaveText(['Screen×', 'Mouse and keyboard×']);
    await expect(banner.getByRole('timer')).toHaveText(/^(20:00|19:5\d) left$/);

    // The technician ends (Ctrl-C in the CLI); the CLI waits for the summary and exits with the decision's code.
    cli.child.kill('SIGINT');
    const run = await cli.done;
    expect(run.code).toBe(0);
    expect(cli.events().map((e) => e.type)).toEqual(expect.arrayContaining(['session.pending', 'session.decision', 'session.started', 'session.summary']));
    const summary = await w.ui.page('summary');
    await expect(summary.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(summary.getByText('INC-E2E-1')).toBeVisible();
    expect(w.agent.grants()).toEqual([]);
    await expect.poll(() => w.ui.opened.banner[0]!.isClosed()).toBe(true);

    await w.agent.idle();
    const verify = await runCli(['audit', 'verify', w.auditDir]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^intact: \d+ records/);
    const exported = await runCli(['audit', 'export', '--ticket', 'INC-E2E-1', '--dir', w.auditDir]);
    expect(exported.code).toBe(0);
    const types = exported.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type);
    expect(types).toEqual(expect.arrayContaining(['request.received', 'consent.decision', 'session.started', 'session.ended', 'session.summary']));
    await expectRelayAuditVerifies('INC-E2E-1', ['request', 'decision', 'session-started', 'session-end', 'session-summary']);
  });
});
