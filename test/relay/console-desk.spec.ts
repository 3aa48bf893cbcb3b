// The technician console as a help desk uses it (issue 21): layout at three
// window sizes in light and dark, code and decision on screen once sent,
// errors in words, only the technician's scopes, field errors, the token kept
// out of storage, URLs and logs. Real relay process, scripted agent.
import { expect, test, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashSecretToken, newSecretToken } from '../../src/relay/secret-token.js';
import { buildConsole } from './console-build.js';
import { expectNoAxeViolations, signInConsole } from './console-page.js';
import { startTestRelay, type TestRelay } from './harness.js';
import { generateEd25519KeyPair } from '../../src/protocol/signing.js';
import { acceptAndStay, connectAgent, type ScriptedAgent } from './scripted-agent.js';

const shots = fileURLToPath(new URL('../../test-results/console', import.meta.url));
const SIZES = [
  { width: 1280, height: 800 },
  { width: 1024, height: 768 },
  { width: 800, height: 900 },
] as const;
const THEMES = ['light', 'dark'] as const;

let t: TestRelay;
let agent: ScriptedAgent;
let token: string;
let base: string;

test.beforeEach(async ({ page }) => {
  t = await startTestRelay({ consoleDir: await buildConsole() });
  token = newSecretToken();
  await t.storage.addTechnician({ id: 'eve', name: 'Eve Tech', group: 'helpdesk', scopes: ['view', 'control'], unattended: false, tokenHash: hashSecretToken(token), createdAt: new Date().toISOString(), disabled: false });
  agent = await t.agent('LAPTOP-0042');
  base = t.relay.url.replace(/^ws/, 'http');
  await page.addInitScript(() => {
    const seen: string[] = [];
    Object.defineProperty(globalThis, '__cspViolations', { value: seen });
    globalThis.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
});
test.afterEach(() => t.close());

const signIn = (page: Page) => signInConsole(page, base, token, 'Signed in as Eve Tech (helpdesk)');

async function fillRequest(page: Page, deviceId = 'LAPTOP-0042'): Promise<void> {
  await page.getByLabel('Device id').fill(deviceId);
  await page.getByLabel('Ticket', { exact: true }).fill('INC0012345');
  await page.getByLabel('Reason (the user reads this)').fill('Outlook stops syncing after the update');
  await page.getByLabel('Control').check();
}

/** On screen, not scrolled to, and not covered: the point at its centre hits it. */
async function expectUncoveredInViewport(page: Page, selector: string): Promise<void> {
  const seen = await page.evaluate((sel) => {
    const el = document.querySelector(sel)!;
    const r = el.getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, w: innerWidth, h: innerHeight, scrollY, hits: hit !== null && (hit === el || el.contains(hit)) };
  }, selector);
  expect(seen, selector).toMatchObject({ scrollY: 0, hits: true });
  expect(seen.top, selector).toBeGreaterThanOrEqual(0);
  expect(seen.left, selector).toBeGreaterThanOrEqual(0);
  expect(seen.bottom, selector).toBeLessThanOrEqual(seen.h);
  expect(seen.right, selector).toBeLessThanOrEqual(seen.w);
}

async function expectCleanPage(page: Page): Promise<void> {
  await expectNoAxeViolations(page);
  expect(await page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations)).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBe(0);
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  // The viewport only: what the technician sees without scrolling.
  await page.screenshot({ path: join(shots, `${name}.png`), animations: 'disabled' });
}

for (const size of SIZES) {
  for (const theme of THEMES) {
    test(`${size.width}x${size.height} ${theme}: once sent, the code and the per-scope decision are on screen without scrolling`, async ({ page }) => {
      await page.setViewportSize(size);
      await page.emulateMedia({ colorScheme: theme });
      agent.answer = (req) => acceptAndStay()(req, agent).map((m) => (m.type === 'session.decision' ? { ...m, outcome: 'partial' as const, granted: ['view' as const], declined: ['control' as const] } : m.type === 'session.started' ? { ...m, scopes: ['view' as const] } : m));
      await signIn(page);
      await expectCleanPage(page);
      await shot(page, `console-request-${size.width}x${size.height}-${theme}`);
      await fillRequest(page);
      const sent = agent.next('session.request');
      // Enter in a field sends the request form.
      await page.getByLabel('Ticket', { exact: true }).press('Enter');
      const req = await sent;
      await expect(page.locator('#code')).toHaveText(req.payload.verificationCode);
      await expect(page.locator('#decision li[data-scope="view"]')).toContainText('granted');
      await expect(page.locator('#decision li[data-scope="control"]')).toContainText('declined');
      await expect(page.locator('#state')).toContainText('Session live');
      await expect(page.locator('.code-label')).toHaveText('Verification code: read this to the user');
      for (const sel of ['#code', '.code-label', '#decision li[data-scope="view"]', '#decision li[data-scope="control"]', '#state']) await expectUncoveredInViewport(page, sel);
      // The code is the largest text on the page.
      const sizes = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.textContent?.trim()).map((e) => ({ id: e.id, px: parseFloat(getComputedStyle(e).fontSize) })));
      expect(Math.max(...sizes.map((s) => s.px))).toBe(sizes.find((s) => s.id === 'code')!.px);
      await expectCleanPage(page);
      await shot(page, `console-live-${size.width}x${size.height}-${theme}`);
    });
  }
}

test('an offline device is said in words, the request ends visibly, and the next request starts clean', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const other = await t.agent('LAPTOP-0043');
  other.answer = acceptAndStay();
  await agent.close();
  await signIn(page);
  await fillRequest(page);
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.locator('#error')).toHaveText(/^Device LAPTOP-0042 is offline \(last seen (just now|1 min ago)\)\. Ask the user to turn it on and connect it to the network, then try again\.$/);
  await expect(page.locator('#error-detail')).toContainText('agent-offline');
  await expect(page.locator('#state')).toHaveText('Not sent: see the message above');
  await expect(page.locator('#decision li[data-scope="view"]')).toHaveText('Viewnot sent');
  await expect(page.locator('#code-block')).toBeHidden();
  await expect(page.getByRole('button', { name: 'Send request' })).toBeEnabled();
  await expectUncoveredInViewport(page, '#error');
  await expectUncoveredInViewport(page, '#state');
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await expectCleanPage(page);
    await shot(page, `console-error-offline-1280x800-${theme}`);
  }
  await expect(page.locator('#events')).toContainText('error agent-offline');

  await page.getByLabel('Device id').fill('LAPTOP-0043');
  const sent = other.next('session.request');
  await page.getByRole('button', { name: 'Send request' }).click();
  await sent;
  await expect(page.locator('#state')).toContainText('Session live');
  await expect(page.locator('#error-box')).toBeHidden();
  await expect(page.locator('#events')).not.toContainText('agent-offline');
});

test('offers only the scopes the relay says this technician may request', async ({ page }) => {
  await signIn(page);
  const offered = await page.locator('input[name="scope"]').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value));
  expect(offered).toEqual(['view', 'control']);
  await expect(page.getByLabel('Admin')).toHaveCount(0);
  await expect(page.getByLabel('File transfer')).toHaveCount(0);
});

test('a form mistake shows next to its field in words, checked with the relay schema, and nothing is sent', async ({ page }) => {
  await signIn(page);
  await page.getByLabel('Device id').fill('LAPTOP 0042');
  await page.getByLabel('Ticket', { exact: true }).fill('not a ticket!');
  await page.getByLabel('Ticket URL (optional)').fill('ftp://example.com/x');
  await page.getByLabel('Estimated minutes').fill('0');
  await page.getByLabel('View').uncheck();
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.locator('#device-error')).toHaveText('Enter the device id: 1 to 64 letters, digits or _ . : - (for example LAPTOP-0042).');
  await expect(page.locator('#ticket-error')).toHaveText('Enter the ticket id: up to 64 letters, digits or # . _ : / - (for example INC0012345).');
  await expect(page.locator('#ticket-url-error')).toHaveText('Enter the full ticket address starting with https:// (or leave it empty).');
  await expect(page.locator('#reason-error')).toHaveText('Say in up to 500 characters why you need access; the user reads this.');
  await expect(page.locator('#scopes-error')).toHaveText('Choose at least one kind of access.');
  await expect(page.locator('#minutes-error')).toHaveText('Enter a whole number of minutes from 1 to 1440.');
  await expect(page.getByLabel('Device id')).toBeFocused();
  await expect(page.getByLabel('Device id')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#active')).toBeHidden();
  await expectCleanPage(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await shot(page, 'console-field-errors-1280x720-light');
  expect(agent.received.filter((m) => m.type === 'session.request')).toEqual([]);
});

test('keyboard: a visible 3 px focus ring', async ({ page }) => {
  await signIn(page);
  await page.keyboard.press('Tab');
  const ring = await page.evaluate(() => {
    const s = getComputedStyle(document.activeElement!);
    return { width: s.outlineWidth, style: s.outlineStyle };
  });
  expect(ring).toEqual({ width: '3px', style: 'solid' });
});

test("the technician's token never reaches storage, a URL or the console log", async ({ page }) => {
  const logged: string[] = [];
  page.on('console', (m) => logged.push(m.text()));
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('websocket', (ws) => urls.push(ws.url()));
  agent.answer = acceptAndStay();
  await signIn(page);
  await fillRequest(page);
  const sent = agent.next('session.request');
  await page.getByRole('button', { name: 'Send request' }).click();
  await sent;
  await expect(page.locator('#state')).toContainText('Session live');
  const stored = await page.evaluate(() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage), document.cookie, document.documentElement.outerHTML, [...document.querySelectorAll('input')].map((i) => i.value)]));
  expect(stored).not.toContain(token);
  expect(urls.length).toBeGreaterThan(0);
  for (const u of [...urls, page.url()]) expect(u).not.toContain(token);
  for (const line of logged) expect(line).not.toContain(token);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.locator('#signin')).toBeVisible();
  await expect(page.getByLabel('API token')).toHaveValue('');
});

test('the device list shows online, offline with last seen, and a clock-skew refusal; choosing one fills the request', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  const key = generateEd25519KeyPair();
  const skewFirst = await connectAgent(t.relay.url, { deviceId: 'DESK-SKEW', key, enrollmentToken: await t.enroll('DESK-SKEW') });
  if (!skewFirst.ok) throw new Error('enrollment failed');
  await skewFirst.agent.close();
  const skewed = await connectAgent(t.relay.url, { deviceId: 'DESK-SKEW', key, issuedAt: new Date(Date.now() + 7 * 60_000).toISOString() });
  expect(skewed.ok).toBe(false);
  const gone = await t.agent('PC-OLD');
  await gone.close();
  await signIn(page);
  const rows = page.locator('#device-list button.device');
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(0)).toHaveText('LAPTOP-0042online');
  await expect(page.locator('button.device[data-device-id="PC-OLD"]')).toHaveText(/^PC-OLDoffline, last seen (just now|1 min ago)$/);
  await expect(page.locator('button.device[data-device-id="DESK-SKEW"]')).toHaveText(/^DESK-SKEWrefused: its clock is off by 7 min$/);
  await expect(page.locator('#devices-note')).toHaveText('3 shown of 3; 1 online.');
  await page.getByLabel('Search devices').fill('desk');
  await expect(rows).toHaveCount(1);
  await rows.first().click();
  await expect(page.getByLabel('Device id')).toHaveValue('DESK-SKEW');
  await expect(page.getByLabel('Ticket', { exact: true })).toBeFocused();
  await page.getByLabel('Ticket', { exact: true }).fill('INC0012346');
  await page.getByLabel('Reason (the user reads this)').fill('Clock keeps drifting');
  await page.getByRole('button', { name: 'Send request' }).click();
  await expect(page.locator('#error')).toHaveText('Device DESK-SKEW tried to connect but was refused: its clock is off by more than 5 minutes. Ask the user to correct the date and time.');
  await expect(page.locator('#state')).toHaveText('Not sent: see the message above');
  await page.getByLabel('Search devices').fill('');
  // The refresh after the refusal lists every device, not only what was typed.
  await expect(page.locator('#devices-note')).toHaveText('3 shown of 3; 1 online.');
  await expectCleanPage(page);
  for (const theme of THEMES) {
    await page.emulateMedia({ colorScheme: theme });
    await shot(page, `console-devices-clock-skew-1280x800-${theme}`);
  }
});

test('"stay signed in on this tab" keeps the token in sessionStorage only; a reload signs in again; sign out forgets it', async ({ page }) => {
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByLabel('Stay signed in on this tab').check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#who')).toHaveText('Signed in as Eve Tech (helpdesk)');
  expect(await page.evaluate(() => sessionStorage.getItem('porchlight.console.token'))).toBe(token);
  expect(await page.evaluate(() => JSON.stringify(Object.entries(localStorage)))).not.toContain(token);
  await page.reload();
  await expect(page.locator('#who')).toHaveText('Signed in as Eve Tech (helpdesk)');
  expect(page.url()).not.toContain(token);
  await page.getByRole('button', { name: 'Sign out' }).click();
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  await page.reload();
  await expect(page.locator('#signin')).toBeVisible();
  await expect(page.locator('#who')).toHaveText('Not signed in');
});
