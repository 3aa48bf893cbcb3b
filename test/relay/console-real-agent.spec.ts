// The console (issue 21) against the relay as its own process and the real
// agent core: attended with its consent, banner and summary pages in Chromium
// (partial consent, the user's reply from the banner, the user's "Is your
// problem solved?" answer), and headless for unattended and emergency: a manager
// approval dropped in as its file and shown before sending, an expired one
// refused in words, an emergency that needs its justification and incident to
// send and its what / why / result to close.
import { expect, test, type Page } from '@playwright/test';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateEd25519KeyPair, signApprovalToken } from '../../src/protocol/index.js';
import { assertRendererBuilt, serveRenderer, type StaticServer } from '../renderer/static-server.js';
import { startAgentWorld, type AgentWorld } from '../e2e/agent-world.js';
import { clickClosingWindow } from '../e2e/closing-click.js';
import { startRelayProcess, type RelayProcess } from '../e2e/relay-process.js';
import { expectNoAxeViolations, shotBothThemes as shot, signInConsole } from './console-page.js';

const approvals = generateEd25519KeyPair();
const POLICY = { unattendedAllowed: true, emergencyAllowed: true, unattendedGroups: ['servers'] };

// One worker and one relay process for the file: a second worker's build check could rebuild dist/ under the first.
test.describe.configure({ mode: 'default' });

let relay: RelayProcess;
let renderer: StaticServer;
let world: AgentWorld | undefined;
let techs = 0;

test.beforeAll(async () => {
  // The relay process comes from the built CLI, which (re)builds the renderer pages too when stale.
  test.setTimeout(180_000);
  relay = await startRelayProcess({ approvalsPublicKey: approvals.publicKey });
  assertRendererBuilt(['consent', 'banner', 'summary']);
  renderer = await serveRenderer();
});
test.afterAll(async () => {
  await renderer?.close();
  if (relay) expect(await relay.stop()).toBe(0);
});
test.afterEach(async () => {
  await world?.stop();
  world = undefined;
});

async function signedInTechnician(page: Page, scopes = 'view,control'): Promise<string> {
  const name = `srv-${process.pid}-${++techs}`;
  const token = await relay.addTechnician(name, { group: 'servers', unattended: true, scopes });
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInConsole(page, relay.url.replace(/^ws/, 'http'), token, /\(servers\)$/);
  return name;
}

function approvalFile(deviceId: string, technicianId: string, ticketId: string, o: { issuedAt: number; expiresAt: number }) {
  const token = signApprovalToken(
    { v: 1, kind: 'approval', deviceId, technicianId, scopes: ['view', 'control'], ticketId, reference: 'CHG-5521', approver: 'Maria Manager', issuedAt: new Date(o.issuedAt).toISOString(), expiresAt: new Date(o.expiresAt).toISOString(), nonce: randomBytes(16).toString('base64url') },
    approvals,
  );
  return { name: 'approval.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(token)) };
}

async function fillCommon(page: Page, deviceId: string, ticketId: string): Promise<void> {
  await page.getByLabel('Device id').fill(deviceId);
  await page.getByLabel('Ticket', { exact: true }).fill(ticketId);
  await page.getByLabel('Reason (the user reads this)').fill('Patch the file server');
  await page.getByLabel('Control').check();
}

test('attended with the real agent: the user allows part, replies from the banner, and answers the summary; the console shows each', async ({ page, context }) => {
  world = await startAgentWorld(context, renderer.url, relay);
  const name = `att-${process.pid}-${++techs}`;
  const token = await relay.addTechnician(name, { display: 'Alice Moreau', scopes: 'view,control' });
  await page.setViewportSize({ width: 1280, height: 800 });
  await signInConsole(page, relay.url.replace(/^ws/, 'http'), token, 'Signed in as Alice Moreau (helpdesk)');
  await page.getByLabel('Device id').fill(world.deviceId);
  await page.getByLabel('Ticket', { exact: true }).fill('INC-CON-0');
  await page.getByLabel('Reason (the user reads this)').fill('Printer queue stuck');
  await page.getByLabel('Control').check();
  await page.getByLabel('Ticket', { exact: true }).press('Enter');
  const consent = await world.ui.page('consent');
  // The code the user sees is the one the console says to read out.
  await expect(page.locator('#code')).toHaveText(/^\d+$/);
  const code = (await page.locator('#code').textContent())!;
  await expect(consent.getByText(code.split('').join(' ')).or(consent.getByText(code))).toBeVisible();
  await consent.getByRole('checkbox', { name: 'Use your mouse and keyboard' }).uncheck();
  const allow = consent.getByRole('button', { name: 'Allow selected' });
  await expect(allow).toHaveAttribute('aria-disabled', 'false');
  await clickClosingWindow(consent, allow);
  await expect(page.locator('#state')).toContainText('Session live');
  await expect(page.locator('#decision li[data-scope="view"]')).toContainText('granted');
  await expect(page.locator('#decision li[data-scope="control"]')).toContainText('declined');
  await expect(page.locator('#events')).toContainText('decision partial (user)');

  await page.getByLabel('Tell the user what you are doing').fill('Restarting the print spooler now.');
  await page.getByRole('button', { name: 'Send to the user' }).click();
  const banner = await world.ui.page('banner');
  await banner.getByRole('button', { name: 'Details' }).click();
  await banner.getByRole('textbox', { name: 'Message to Alice Moreau' }).fill('It printed, thanks');
  await banner.getByRole('button', { name: 'Send' }).click();
  await expect(page.locator('#conversation .line.user .body')).toHaveText('It printed, thanks');
  await expect(page.locator('#conversation .line.you .body')).toHaveText('Restarting the print spooler now.');

  await page.getByLabel('Resolved', { exact: true }).check();
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.locator('#close-state')).toHaveText('Outcome recorded for ticket INC-CON-0: Resolved.');
  const summary = await world.ui.page('summary');
  await summary.getByLabel('Yes').check();
  await summary.getByRole('button', { name: 'Send answer' }).click();
  await expect(page.locator('#resolution')).toHaveText(/^The user answered "Is your problem solved\?": Yes/);
  await expectNoAxeViolations(page);
  await page.locator('#live').evaluate((el) => (el.scrollTop = el.scrollHeight));
  await shot(page, 'console-attended-real-agent-ended-1280x800');
});

test('unattended with a manager approval: the page shows what it covers, the headless agent grants, the outcome is recorded', async ({ page, context }) => {
  world = await startAgentWorld(context, renderer.url, relay, { presence: 'headless', approvalsPublicKey: approvals.publicKey, policy: POLICY });
  const technicianId = await signedInTechnician(page);
  await fillCommon(page, world.deviceId, 'INC-CON-1');
  await page.getByLabel('Unattended with a manager approval').check();
  await page.getByLabel('Or choose the approval file').setInputFiles(approvalFile(world.deviceId, technicianId, 'INC-CON-1', { issuedAt: Date.now(), expiresAt: Date.now() + 3600_000 }));
  const summary = page.getByRole('definition');
  await expect(page.locator('#approval-summary')).toContainText('Approved byMaria Manager');
  await expect(summary).toHaveText(['Maria Manager', 'CHG-5521', /\(in (60|59) min\)$/, '1 session', world.deviceId, 'INC-CON-1', 'View, Control', technicianId]);
  await expect(page.locator('#approval-warnings li')).toHaveCount(0);
  await page.getByLabel('Maintenance task id (optional)').fill('CHG0004711');
  await page.getByLabel('Targets covered, one per line (optional)').fill('fileserver-01\nsmb service');
  await expectNoAxeViolations(page);
  await shot(page, 'console-unattended-approval-1280x800');
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.locator('#state')).toContainText('Session live');
  await expect(page.locator('#code')).toHaveText(/^\S+$/);
  await expect(page.locator('#decision li[data-scope="control"]')).toContainText('granted');
  await expect(page.locator('#events')).toContainText('decision accepted (approval)');
  await page.getByLabel('Resolved', { exact: true }).check();
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.locator('#close-state')).toHaveText('Outcome recorded for ticket INC-CON-1: Resolved.');
  const records = await relay.auditOf('INC-CON-1');
  expect(records.find((r) => r.kind === 'request')).toMatchObject({ data: expect.objectContaining({ maintenance: { taskId: 'CHG0004711', targets: ['fileserver-01', 'smb service'] } }) });
});

test('an expired approval is flagged before sending and refused in words', async ({ page, context }) => {
  world = await startAgentWorld(context, renderer.url, relay, { presence: 'headless', approvalsPublicKey: approvals.publicKey, policy: POLICY });
  const technicianId = await signedInTechnician(page);
  await fillCommon(page, world.deviceId, 'INC-CON-2');
  await page.getByLabel('Unattended with a manager approval').check();
  await page.getByLabel('Or choose the approval file').setInputFiles(approvalFile(world.deviceId, technicianId, 'INC-CON-2', { issuedAt: Date.now() - 2 * 3600_000, expiresAt: Date.now() - 3600_000 }));
  await expect(page.locator('#approval-warnings')).toHaveText('This approval has expired: the device will refuse it. Ask the approver for a new one.');
  await page.getByRole('button', { name: 'Send request' }).click();
  const refused = 'The approval is missing, expired, used up or not for this device, technician or access. Ask the approver for a new one.';
  await expect(page.locator('#error-box:visible, #state').filter({ hasText: refused }).first()).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send request' })).toBeEnabled();
  await expect(page.locator('#decision .waiting')).toHaveCount(0);
  await expectNoAxeViolations(page);
  await shot(page, 'console-error-expired-approval-1280x800');
});

test('emergency: justification and incident to send, what / why / result to close', async ({ page, context }) => {
  world = await startAgentWorld(context, renderer.url, relay, { presence: 'headless', policy: POLICY });
  await signedInTechnician(page);
  await fillCommon(page, world.deviceId, 'INC-CON-3');
  await page.getByLabel('Emergency').check();
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.locator('#justification-error')).toHaveText('Say in up to 1000 characters why this cannot wait for an approval.');
  await expect(page.locator('#incident-error')).toHaveText('Enter the incident number (one line, up to 100 characters).');
  await expect(page.getByLabel('Why this cannot wait for an approval')).toBeFocused();
  await page.getByLabel('Why this cannot wait for an approval').fill('Ransomware spreading from this host');
  await page.getByLabel('Incident number').fill('IR-2026-07');
  await page.getByLabel('Incident number').press('Enter');
  await expect(page.locator('#state')).toContainText('Session live');
  await expect(page.locator('#events')).toContainText('decision accepted (emergency)');
  await expect(page.locator('#doc-fields')).toBeVisible();
  // End without the documentation: the session ends, the outcome waits for what / why / result.
  await page.getByLabel('Resolved', { exact: true }).check();
  await page.getByRole('button', { name: 'End', exact: true }).click();
  await expect(page.locator('#close-what-error')).toHaveText('Say what you did (up to 1000 characters).');
  await expect(page.locator('#close-state')).toHaveText('');
  await page.getByLabel('What you did').fill('Isolated the host from the network');
  await page.getByLabel('Why', { exact: true }).fill('It was encrypting the shares');
  await page.getByLabel('Result').fill('Spread stopped; host handed to IR');
  await page.getByRole('button', { name: 'Record the outcome' }).click();
  await expect(page.locator('#close-state')).toHaveText('Outcome recorded for ticket INC-CON-3: Resolved.');
  await expectNoAxeViolations(page);
  await shot(page, 'console-emergency-closed-1280x800');
});

test('a file sent from the console lands in the device\'s policy folder with the sha256 the browser computed', async ({ page, context }) => {
  const folder = mkdtempSync(join(tmpdir(), 'pl-console-files-'));
  world = await startAgentWorld(context, renderer.url, relay, { presence: 'headless', policy: { ...POLICY, fileFolder: folder } });
  await signedInTechnician(page, 'view,control,file-transfer');
  await fillCommon(page, world.deviceId, 'INC-CON-4');
  await page.getByLabel('File transfer').check();
  await page.getByLabel('Emergency').check();
  await page.getByLabel('Why this cannot wait for an approval').fill('Payroll server certificate expires in an hour');
  await page.getByLabel('Incident number').fill('IR-2026-08');
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.locator('#state')).toContainText('Session live');
  const bytes = randomBytes(300_000);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await page.getByText('Send a file').click();
  await page.getByLabel('File to send to the device').setInputFiles({ name: 'new-cert.pem', mimeType: 'text/plain', buffer: bytes });
  await page.getByRole('button', { name: 'Send file' }).click();
  // The agent's channel.close names where it stored the file; the console says so.
  await expect(page.locator('#file-status')).toContainText('Stored on the device', { timeout: 15_000 });
  // The agent core wrote it through a temporary name, checked the sha256 and renamed it into the ticket's folder.
  await expect.poll(() => filesUnder(folder).length, { message: 'the file in the policy folder', timeout: 15_000 }).toBe(1);
  const stored = filesUnder(folder)[0]!;
  expect(stored).toMatch(/INC-CON-4[\\/]new-cert\.pem$/);
  expect(createHash('sha256').update(readFileSync(stored)).digest('hex')).toBe(sha256);
});

/** Every file below `dir` (the agent keeps a folder per ticket). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}
