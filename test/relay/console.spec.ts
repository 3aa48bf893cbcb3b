// The technician console in Debian Chromium against a real relay and a scripted agent.
import { expect, test, type Page } from '@playwright/test';
import { keyFingerprint } from '../../src/protocol/signing.js';
import { hashSecretToken, newSecretToken } from '../../src/relay/secret-token.js';
import { startRewritingProxy } from '../support/rewriting-proxy.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { buildConsole } from './console-build.js';
import { base32Decode, referenceTotp } from '../support/totp-reference.js';
import { acceptAndStay, type ScriptedAgent } from './scripted-agent.js';

let t: TestRelay;
let agent: ScriptedAgent;
let token: string;

test.beforeEach(async () => {
  t = await startTestRelay({ consoleDir: await buildConsole() });
  token = newSecretToken();
  await t.storage.addTechnician({ id: 'eve', name: '<b>Eve</b> Tech', group: 'helpdesk', scopes: ['view', 'control'], unattended: false, tokenHash: hashSecretToken(token), createdAt: new Date().toISOString(), disabled: false });
  agent = await t.agent('dev-42');
});
test.afterEach(() => t.close());

test('sign in, request, see the verification code and the decision arrive, then End', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  agent.answer = (req) => acceptAndStay()(req, agent).map((m) => (m.type === 'session.decision' ? { ...m, outcome: 'partial' as const, granted: ['view' as const], declined: ['control' as const] } : m.type === 'session.started' ? { ...m, scopes: ['view' as const] } : m));

  const response = await page.goto(t.relay.url.replace(/^ws/, 'http') + '/');
  expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");

  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Network strings are text, never markup.
  await expect(page.locator('#who')).toHaveText('Signed in as <b>Eve</b> Tech (helpdesk)');

  await page.getByLabel('Device id').fill('dev-42');
  await page.getByLabel('Ticket', { exact: true }).fill('INC9001');
  await page.getByLabel('Reason (the user reads this)').fill('Excel add-in keeps crashing');
  await page.getByLabel('Control').check();
  const sent = agent.next('session.request');
  await page.getByRole('button', { name: 'Send request' }).click();
  const req = await sent;
  await expect(page.locator('#code')).toHaveText(req.payload.verificationCode);
  await expect(page.locator('#state')).toContainText('Session live');
  await expect(page.locator('#events')).toContainText('decision partial (user): granted view; declined control');
  // The console checked the device's signature itself, with the key it fetched and fingerprinted.
  const deviceKey = keyFingerprint((await t.storage.getDevice('dev-42'))!.publicKey);
  await expect(page.locator('#fingerprint')).toHaveText(`Device key fingerprint: ${deviceKey} (first use: remembered)`);
  await expect(page.locator('#events')).toContainText(`declined control (device signature verified, key ${deviceKey})`);
  await expect(page.locator('#events')).toContainText(`session started with view (device signature verified, key ${deviceKey})`);

  const end = agent.next('session.end');
  await page.getByRole('button', { name: 'End', exact: true }).click();
  expect(await end).toMatchObject({ by: 'technician' });
  expect(problems).toEqual([]);
});

test('a technician with a second factor signs in with a one-time code; without one the page asks for it', async ({ page }) => {
  await t.close();
  t = await startTestRelay({ consoleDir: await buildConsole(), mfa: { require: 'all', groups: [] } });
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  await t.storage.addTechnician({ id: 'eve', name: 'Eve Tech', group: 'helpdesk', scopes: ['view'], unattended: false, tokenHash: hashSecretToken(token), createdAt: new Date().toISOString(), disabled: false, mfaSecret: secret });
  await page.goto(t.relay.url.replace(/^ws/, 'http') + '/');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#error')).toHaveText('Enter the one-time code from your authenticator app: this relay requires one.');
  await expect(page.locator('#error-detail')).toContainText('mfa-required: this relay requires a one-time code');
  await expect(page.getByLabel(/One-time code/)).toBeFocused();
  await page.getByLabel(/One-time code/).fill(referenceTotp(base32Decode(secret), Date.now() / 1000));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#who')).toHaveText('Signed in as Eve Tech (helpdesk)');
  await expect(page.getByLabel(/One-time code/)).toHaveValue('');
});

test('a wrong token is refused and the sign-in form stays', async ({ page }) => {
  await page.goto(t.relay.url.replace(/^ws/, 'http') + '/');
  await page.getByLabel('API token').fill('x'.repeat(43));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#error')).toHaveText('Sign-in failed: the token is wrong, expired or disabled, or the one-time code is wrong.');
  await expect(page.locator('#error-detail')).toContainText('unauthorized');
  await expect(page.locator('#signin')).toBeVisible();
});

async function signInAndRequest(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#who')).toContainText('Signed in');
  await page.getByLabel('Device id').fill('dev-42');
  await page.getByLabel('Ticket', { exact: true }).fill('INC9002');
  await page.getByLabel('Reason (the user reads this)').fill('Printer');
  await page.getByRole('button', { name: 'Send request' }).click();
}

test('refuses a decision whose device signature was altered on the way and ends the session', async ({ page }) => {
  agent.answer = acceptAndStay();
  const proxy = await startRewritingProxy(t.relay.url, (text) => {
    const msg = JSON.parse(text) as { type: string; deviceSig?: { sig: string } };
    if (msg.type !== 'session.decision' || !msg.deviceSig) return text;
    msg.deviceSig.sig = `${msg.deviceSig.sig[0] === 'A' ? 'B' : 'A'}${msg.deviceSig.sig.slice(1)}`;
    return JSON.stringify(msg);
  });
  try {
    const end = agent.next('session.end');
    await signInAndRequest(page, proxy.url.replace(/^ws/, 'http'));
    await expect(page.locator('#error')).toContainText('REFUSED: session.decision device signature does not verify');
    await expect(page.locator('#events')).not.toContainText('decision accepted');
    expect(await end).toMatchObject({ by: 'technician', reason: 'the device signature did not verify' });
  } finally {
    await proxy.close();
  }
});

test('refuses, naming both fingerprints, when the device key changed without an audited re-key; nothing is sent', async ({ page }) => {
  const remembered = keyFingerprint(Buffer.alloc(32, 9).toString('base64url'));
  const relayId = keyFingerprint(t.relayKey.publicKey);
  await page.addInitScript(([relay, fp]) => localStorage.setItem('porchlight.known-devices', JSON.stringify([{ relay, deviceId: 'dev-42', fingerprint: fp }])), [relayId, remembered]);
  await signInAndRequest(page, t.relay.url.replace(/^ws/, 'http'));
  const presented = keyFingerprint((await t.storage.getDevice('dev-42'))!.publicKey);
  await expect(page.locator('#error')).toContainText('THE KEY OF DEVICE dev-42 HAS CHANGED');
  await expect(page.locator('#error')).toContainText(`Remembered key fingerprint: ${remembered}`);
  await expect(page.locator('#error')).toContainText(`key the relay presents now: ${presented}`);
  expect(agent.received.filter((m) => m.type === 'session.request')).toEqual([]);
});
