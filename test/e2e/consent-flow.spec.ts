// End to end: the built `porchlight request` command -> the relay process ->
// the real agent core -> the consent page in Chromium -> a click -> the
// decision back in the CLI's exit code and JSON -> the banner -> the summary
// -> both audit logs verify and export by ticket. Only the Electron window
// layer is swapped for Chromium pages (chromium-ui.ts).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { generateEd25519KeyPair, newMessageId, signApprovalToken, type Message } from '../../src/protocol/index.js';
import { auditRecordHash, verifyAuditChain, type AuditRecord } from '../../src/relay/audit/audit-record.js';
import { DATABASE_FILE } from '../../src/relay/data-dir.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { runCli } from '../cli/built-cli.js';
import { recordsForTicket } from '../../src/core/audit/export.js';
import { requestCli, technicianClient } from './agent-world.js';
import { useE2eWorld } from './e2e-world.js';
import { actClosingWindow, clickClosingWindow } from './closing-click.js';

const approvals = generateEd25519KeyPair();
const e2e = useE2eWorld({ approvalsPublicKey: approvals.publicKey });
const start = e2e.start;
const newTechnician = e2e.newTechnician;
const allow = (page: Page) => page.getByRole('button', { name: 'Allow selected' });

/** Wait for Allow to arm (1 s of focus), then click it with the mouse. */
/** Escalation while the technician holds control: the user types the code the dialog shows. */
async function typeConfirmCode(page: Page): Promise<void> {
  const code = (await page.locator('.confirm-code [aria-hidden="true"]').textContent()) ?? '';
  await page.getByRole('textbox', { name: 'To allow, type this 3-digit confirmation code' }).pressSequentially(code);
}

async function clickAllowWhenArmed(page: Page): Promise<void> {
  await expect(allow(page)).toHaveAttribute('aria-disabled', 'false');
  await clickClosingWindow(page, allow(page));
}

/** A manager approval from Maria Manager for view and control, signed with the pinned approvals key, in a file. */
function approvalFile(deviceId: string, technicianId: string, ticketId: string, reference: string): string {
  const now = Date.now();
  const file = join(mkdtempSync(join(tmpdir(), 'pl-e2e-approval-')), 'approval.json');
  const signed = signApprovalToken(
    { v: 1, kind: 'approval', deviceId, technicianId, scopes: ['view', 'control'], ticketId, reference, approver: 'Maria Manager', issuedAt: new Date(now).toISOString(), expiresAt: new Date(now + 3600_000).toISOString(), nonce: randomBytes(16).toString('base64url') },
    approvals,
  );
  writeFileSync(file, JSON.stringify(signed));
  return file;
}

function agentAudit(dir: string): Record<string, unknown>[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
}

/** The relay's whole central chain verifies, and each of the ticket's exported records hashes to itself. */
async function expectRelayAuditVerifies(ticketId: string, kinds: string[]): Promise<void> {
  const exported = await e2e.relay.auditOf(ticketId);
  expect(exported.map((r) => r.kind)).toEqual(expect.arrayContaining(kinds));
  for (const r of exported) expect(auditRecordHash(r as unknown as AuditRecord)).toBe(r.hash);
  const storage = new SqliteStorage(join(e2e.relay.dataDir, DATABASE_FILE));
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
    const { token } = await newTechnician({ display: 'Alice Moreau' });
    const cli = requestCli(e2e.relay, token, ['--device', w.deviceId, '--ticket', 'INC-E2E-1', '--reason', 'Outlook crashes on start', '--scopes', 'view,control', '--minutes', '20']);
    const pending = await cli.event('session.pending');

    const consent = await w.ui.page('consent');
    await expect(consent.getByRole('heading', { level: 1 })).toHaveText('Alice Moreau wants to connect to this computer');
    await expect(consent.locator('.code')).toContainText(`${String(pending.verificationCode).slice(0, 3)} ${String(pending.verificationCode).slice(3)}`);
    await expect(consent.getByText('INC-E2E-1')).toBeVisible();
    await expect(consent.getByText('Outlook crashes on start')).toBeVisible();
    // Only `view` starts ticked: the user opts into control deliberately.
    await consent.getByRole('checkbox', { name: 'Use your mouse and keyboard' }).check();
    await clickAllowWhenArmed(consent);

    const decision = await cli.event('session.decision');
    expect(decision).toMatchObject({ outcome: 'accepted', granted: ['view', 'control'], declined: [], decidedBy: 'user', grantedMinutes: 20 });
    const started = await cli.event('session.started');
    expect(started.scopes).toEqual(['view', 'control']);

    const banner = await w.ui.page('banner');
    await expect(banner.getByText('Alice Moreau is connected')).toBeVisible();
    await expect(banner.getByText('Ticket INC-E2E-1')).toBeVisible();
    await expect(banner.getByRole('list', { name: 'Access' }).getByRole('listitem')).toHaveText(['Screen×', 'Mouse and keyboard×']);
    await expect(banner.getByRole('timer')).toHaveText(/^(20:00|19:[0-5]\d) left$/);

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

  test('partial accept: the user unticks control, the CLI exits 3 with only view granted', async ({ context }) => {
    const w = await start(context);
    const { token } = await newTechnician();
    const cli = requestCli(e2e.relay, token, ['--device', w.deviceId, '--ticket', 'INC-E2E-2', '--reason', 'Printer queue stuck', '--scopes', 'view,control']);
    const consent = await w.ui.page('consent');
    await consent.getByRole('checkbox', { name: 'Use your mouse and keyboard' }).uncheck();
    await clickAllowWhenArmed(consent);
    expect(await cli.event('session.decision')).toMatchObject({ outcome: 'partial', granted: ['view'], declined: ['control'] });
    const banner = await w.ui.page('banner');
    await expect(banner.getByRole('list', { name: 'Access' }).getByRole('listitem')).toHaveText(['Screen×']);
    expect(w.agent.grants()).toEqual(['view']);
    cli.child.kill('SIGINT');
    expect((await cli.done).code).toBe(3);
  });

  test('decline: the CLI exits 4, nothing is granted, no banner', async ({ context }) => {
    const w = await start(context);
    const { token } = await newTechnician();
    const cli = requestCli(e2e.relay, token, ['--device', w.deviceId, '--ticket', 'INC-E2E-3', '--reason', 'VPN setup', '--scopes', 'view']);
    const consent = await w.ui.page('consent');
    await clickClosingWindow(consent, consent.getByRole('button', { name: 'Decline' }));
    const run = await cli.done;
    expect(run.code).toBe(4);
    expect(cli.events().find((e) => e.type === 'session.decision')).toMatchObject({ outcome: 'declined', granted: [], declined: ['view'], decidedBy: 'user' });
    expect(w.ui.opened.banner).toHaveLength(0);
    expect(w.agent.grants()).toEqual([]);
    await expectRelayAuditVerifies('INC-E2E-3', ['request', 'decision']);
  });

  // Decline, Escape and closing the window are three different acts: each keeps its own decidedBy
  // in the CLI's JSON, the relay's central audit and the device's own log.
  for (const [how, ticket, decidedBy, act] of [
    ['the Decline button', 'INC-E2E-3B', 'user', (p: Page) => clickClosingWindow(p, p.getByRole('button', { name: 'Decline' }))],
    ['the Escape key', 'INC-E2E-3E', 'escape', (p: Page) => actClosingWindow(p, () => p.keyboard.press('Escape'))],
    ['closing the window', 'INC-E2E-3C', 'dialog-closed', (p: Page) => p.close()],
  ] as const) {
    test(`declined with ${how}: decidedBy ${decidedBy} in the CLI, the central audit and the device log`, async ({ context }) => {
      const w = await start(context);
      const { token } = await newTechnician();
      const cli = requestCli(e2e.relay, token, ['--device', w.deviceId, '--ticket', ticket, '--reason', 'VPN setup', '--scopes', 'view']);
      const consent = await w.ui.page('consent');
      await expect(consent.getByRole('button', { name: 'Decline' })).toBeVisible();
      await act(consent);
      expect((await cli.done).code).toBe(4);
      expect(cli.events().find((e) => e.type === 'session.decision')).toMatchObject({ outcome: 'declined', decidedBy });
      const central = (await e2e.relay.auditOf(ticket)).find((r) => r.kind === 'decision') as { data?: { decidedBy?: string } } | undefined;
      expect(central?.data?.decidedBy).toBe(decidedBy);
      expect(recordsForTicket(w.auditDir, ticket).find((r) => r.type === 'consent.decision')).toMatchObject({ decidedBy });
    });
  }

  test('timeout: nobody answers, the prompt declines by itself and closes', async ({ context }) => {
    test.slow();
    const w = await start(context, { policy: { promptTimeoutSec: 15 } });
    const { token } = await newTechnician();
    const cli = requestCli(e2e.relay, token, ['--device', w.deviceId, '--ticket', 'INC-E2E-4', '--reason', 'Nobody home', '--scopes', 'view']);
    const consent = await w.ui.page('consent');
    await expect(consent.getByRole('timer')).toHaveText(/Declines automatically in 0:\d\d/);
    const run = await cli.done;
    expect(run.code).toBe(4);
    const decision = cli.events().find((e) => e.type === 'session.decision')!;
    expect(decision).toMatchObject({ outcome: 'declined', granted: [] });
    // The agent's timer and the page's own countdown race to the same deadline; both say timeout.
    expect(decision.decidedBy).toBe('timeout');
    await expect.poll(() => consent.isClosed()).toBe(true);
    expect(w.ui.opened.banner).toHaveLength(0);
  });

  test('unattended with a manager approval token on a headless agent: no prompt, session starts, user told', async ({ context }) => {
    const w = await start(context, { presence: 'headless', approvalsPublicKey: approvals.publicKey, policy: { unattendedAllowed: true, unattendedGroups: ['servers'] } });
    const { name, token } = await newTechnician({ group: 'servers', unattended: true });
    const file = approvalFile(w.deviceId, name, 'INC-E2E-5', 'CHG-5521');
    const cli = requestCli(e2e.relay, token, ['--device', w.deviceId, '--ticket', 'INC-E2E-5', '--reason', 'Patch the file server', '--scopes', 'view,control', '--unattended', '--approval', file]);
    expect(await cli.event('session.decision')).toMatchObject({ outcome: 'accepted', granted: ['view', 'control'], decidedBy: 'approval' });
    await cli.event('session.started');
    expect(w.ui.opened.consent).toHaveLength(0);
    const banner = await w.ui.page('banner');
    await expect(banner.getByRole('list', { name: 'Access' }).getByRole('listitem')).toHaveText(['Screen×', 'Mouse and keyboard×']);
    expect(w.ui.notifications.map((n) => n.kind)).toContain('unattended-start');
    cli.child.kill('SIGINT');
    expect((await cli.done).code).toBe(0);
  });

  test('a manager approval with the user at the desk: the dialog asks them, Decline wins, the CLI reads "approval not used"', async ({ context }) => {
    const w = await start(context, { approvalsPublicKey: approvals.publicKey, policy: { unattendedAllowed: true, unattendedGroups: ['servers'] } });
    const { name, token } = await newTechnician({ group: 'servers', unattended: true, display: 'Alice Moreau' });
    const file = approvalFile(w.deviceId, name, 'INC-E2E-5B', 'CHG-5522');
    const cli = requestCli(e2e.relay, token, ['--device', w.deviceId, '--ticket', 'INC-E2E-5B', '--reason', 'Patch the laptop', '--scopes', 'view,control', '--unattended', '--approval', file]);
    const consent = await w.ui.page('consent');
    await expect(consent.locator('.mode-title')).toHaveText('A manager approved this for when you are away. You decide.');
    await expect(consent.getByText('Maria Manager')).toBeVisible();
    await expect(consent.getByText('CHG-5522')).toBeVisible();
    await expect(consent.locator('.countdown')).toHaveText(/^Approval applies in \d+:\d\d$/);
    await clickClosingWindow(consent, consent.getByRole('button', { name: 'Decline' }));
    expect((await cli.done).code).toBe(4);
    expect(cli.events().find((e) => e.type === 'session.decision')).toMatchObject({ outcome: 'declined', granted: [], decidedBy: 'user', code: 'approval-not-used', detail: 'declined by user (approval not used)', approvalPath: 'user-declined' });
    expect(w.ui.opened.banner).toHaveLength(0);
    expect((await e2e.relay.auditOf('INC-E2E-5B')).find((r) => r.kind === 'decision')?.data).toMatchObject({ code: 'approval-not-used', approvalPath: 'user-declined' });
  });

  test('a headless agent declines an attended request: no user present', async ({ context }) => {
    const w = await start(context, { presence: 'headless' });
    const { token } = await newTechnician();
    const cli = requestCli(e2e.relay, token, ['--device', w.deviceId, '--ticket', 'INC-E2E-6', '--reason', 'Anyone there?', '--scopes', 'view']);
    expect((await cli.done).code).toBe(4);
    expect(cli.events().find((e) => e.type === 'session.decision')).toMatchObject({ outcome: 'no-user-present', granted: [] });
    expect(w.ui.opened.consent).toHaveLength(0);
  });

  test('emergency: justification and incident, no prompt, the banner says emergency', async ({ context }) => {
    const w = await start(context, { policy: { unattendedAllowed: true, emergencyAllowed: true, unattendedGroups: ['oncall'] } });
    const { token } = await newTechnician({ group: 'oncall', unattended: true });
    const cli = requestCli(e2e.relay, token, ['--device', w.deviceId, '--ticket', 'INC-E2E-7', '--reason', 'Contain the outbreak', '--scopes', 'view,control', '--emergency', 'Ransomware spreading from this host', '--incident', 'IR-2026-07']);
    expect(await cli.event('session.decision')).toMatchObject({ outcome: 'accepted', decidedBy: 'emergency' });
    expect(w.ui.opened.consent).toHaveLength(0);
    const banner = await w.ui.page('banner');
    await banner.getByRole('button', { name: 'Details' }).click();
    await expect(banner.getByText('IR-2026-07')).toBeVisible();
    cli.child.kill('SIGINT');
    expect((await cli.done).code).toBe(0);
    const records = agentAudit(w.auditDir);
    // The device's own log names the emergency: who could read only this log knows why and under which incident.
    expect(records.find((r) => r.type === 'consent.decision')).toMatchObject({
      decidedBy: 'emergency',
      ticketId: 'INC-E2E-7',
      authority: { kind: 'emergency', justification: 'Ransomware spreading from this host', incident: 'IR-2026-07' },
    });
  });
});

// The CLI has no verb for narration, escalation or file announcements (and the
// relay binds a session to the connection that requested it), so these drive
// the technician side with the technician client module in-process.
test.describe('end to end: a live session driven by the technician client', () => {
  const ask = (deviceId: string, ticketId: string, scopes: Message<'tech.request'>['scopes']): Message<'tech.request'> => ({
    v: 1, type: 'tech.request', id: newMessageId(), deviceId, ticket: { id: ticketId }, reason: 'Slow laptop', scopes, mode: 'attended', estimatedMinutes: 30,
  });

  async function liveSession(context: Parameters<typeof startAgentWorld>[0], ticketId: string, scopes: Message<'tech.request'>['scopes']) {
    const w = await start(context, { policy: { fileTransfer: { maxBytes: 1024 * 1024, blockedExtensions: ['.exe'], requireTicket: true } } });
    const tech = await technicianClient(e2e.relay, (await newTechnician({ display: 'Alice Moreau' })).token);
    tech.send(ask(w.deviceId, ticketId, scopes));
    const consent = await w.ui.page('consent');
    // The user grants everything asked for (higher-risk scopes start unticked and are ticked deliberately).
    for (const box of await consent.locator('.scope input:not(:checked):not([disabled])').all()) await box.check();
    await clickAllowWhenArmed(consent);
    const started = await tech.next('session.started');
    return { w, tech, sessionId: started.sessionId, banner: await w.ui.page('banner') };
  }

  test('narration shows in the banner; file transfers allowed and blocked by rule; the user ends from the banner', async ({ context }) => {
    const { w, tech, sessionId, banner } = await liveSession(context, 'INC-E2E-8', ['view', 'control']);
    tech.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: 'Clearing the browser cache now.' });
    await expect(banner.locator('.narration')).toHaveText('Clearing the browser cache now.');

    // file-transfer was not granted yet: refused.
    const sha = 'a'.repeat(64);
    const file = (transferId: string, name: string, size = 1000) => ({ v: 1 as const, type: 'session.file-transfer' as const, id: newMessageId(), sessionId, transferId, name, size, sha256: sha, direction: 'to-device' as const, ticketId: 'INC-E2E-8' });
    tech.send(file('t-0', 'notes.txt'));
    expect(await tech.next('session.file-transfer-result', (m) => m.transferId === 't-0')).toMatchObject({ allowed: false, code: 'forbidden' });

    tech.send({ v: 1, type: 'tech.scope-request', id: newMessageId(), sessionId, scopes: ['file-transfer'], reason: 'Copy the diagnostics tool' });
    const escalation = await w.ui.page('consent', 1);
    await escalation.getByRole('checkbox', { name: /Transfer files/ }).check();
    await expect(allow(escalation)).toHaveAttribute('aria-disabled', 'true');
    await typeConfirmCode(escalation);
    await clickAllowWhenArmed(escalation);
    expect(await tech.next('session.scope-update')).toMatchObject({ change: 'escalation-accepted', granted: ['view', 'control', 'file-transfer'] });

    tech.send(file('t-1', 'diag-log.txt'));
    expect(await tech.next('session.file-transfer-result', (m) => m.transferId === 't-1')).toMatchObject({ allowed: true });
    tech.send(file('t-2', 'diag-tool.exe'));
    expect(await tech.next('session.file-transfer-result', (m) => m.transferId === 't-2')).toMatchObject({ allowed: false, code: 'policy-blocked' });
    tech.send(file('t-3', 'huge.zip', 50 * 1024 * 1024));
    expect(await tech.next('session.file-transfer-result', (m) => m.transferId === 't-3')).toMatchObject({ allowed: false, code: 'policy-blocked' });

    await clickClosingWindow(banner, banner.getByRole('button', { name: 'End session' }));
    expect(await tech.next('session.end')).toMatchObject({ sessionId, by: 'user' });
    const summary = (await tech.next('session.summary')).summary;
    expect(summary).toMatchObject({ sessionId, endedBy: 'user', narrationCount: 1 });
    const page = await w.ui.page('summary');
    await expect(page.getByText('Clearing the browser cache now.')).toBeVisible();
    await expect(page.getByText('diag-tool.exe')).toBeVisible();
    await tech.close();
    await w.agent.idle();
    expect((await runCli(['audit', 'verify', w.auditDir])).code).toBe(0);
    const types = agentAudit(w.auditDir).filter((r) => r.ticketId === 'INC-E2E-8').map((r) => r.type);
    expect(types.filter((t) => t === 'file.transfer')).toHaveLength(4);
    await expectRelayAuditVerifies('INC-E2E-8', ['narration', 'scope-request', 'scope-update', 'file-transfer', 'file-transfer-result', 'session-end']);
  });

  test('mid-session escalation accepted and declined, and revoking one scope from the banner', async ({ context }) => {
    const { w, tech, sessionId, banner } = await liveSession(context, 'INC-E2E-9', ['view']);
    tech.send({ v: 1, type: 'tech.scope-request', id: newMessageId(), sessionId, scopes: ['control'], reason: 'Need to click through the installer' });
    const first = await w.ui.page('consent', 1);
    await expect(first.getByRole('heading', { level: 1 })).toHaveText('Alice Moreau asks for more access during your session');
    // Higher-risk access is never pre-ticked: the user opts in.
    await first.getByRole('checkbox', { name: 'Use your mouse and keyboard' }).check();
    await clickAllowWhenArmed(first);
    expect(await tech.next('session.scope-update', (m) => m.change === 'escalation-accepted')).toMatchObject({ scopes: ['control'], granted: ['view', 'control'] });
    await expect(banner.getByRole('list', { name: 'Access' }).getByRole('listitem')).toHaveText(['Screen×', 'Mouse and keyboard×']);

    tech.send({ v: 1, type: 'tech.scope-request', id: newMessageId(), sessionId, scopes: ['admin'], reason: 'Install a driver' });
    const second = await w.ui.page('consent', 2);
    await clickClosingWindow(second, second.getByRole('button', { name: 'Decline' }));
    expect(await tech.next('session.scope-update', (m) => m.change === 'escalation-declined')).toMatchObject({ scopes: ['admin'], granted: ['view', 'control'] });
    expect(w.agent.grants()).toEqual(['view', 'control']);

    await banner.getByRole('button', { name: 'Revoke access: Use your mouse and keyboard' }).click();
    expect(await tech.next('session.scope-update', (m) => m.change === 'revoked')).toMatchObject({ scopes: ['control'], granted: ['view'] });
    await expect(banner.getByRole('list', { name: 'Access' }).getByRole('listitem')).toHaveText(['Screen×']);
    expect(w.agent.grants()).toEqual(['view']);
    tech.send({ v: 1, type: 'session.end', id: newMessageId(), sessionId, by: 'technician' });
    expect((await tech.next('session.summary')).summary).toMatchObject({ endedBy: 'technician', scopesGranted: expect.arrayContaining(['view']) });
    await tech.close();
  });
});
