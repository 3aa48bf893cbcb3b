// Attack suite, in the browser: clickjacking the consent dialog and markup
// injection through every request field, end to end from a signed relay frame
// through the real agent core and bridge contract into Chromium pages.
import { expect, test, type Page } from '@playwright/test';
import { newMessageId } from '../../src/protocol/index.js';
import { HOSTILE } from '../renderer/sample-views.js';
import { expectInertMarkup } from '../renderer/page-checks.js';
import { useBrowserAgent } from './browser-agent.js';
import { actClosingWindow, clickClosingWindow } from '../e2e/closing-click.js';

const agents = useBrowserAgent(test, ['consent', 'banner', 'summary']);

const allow = (page: Page) => page.getByRole('button', { name: 'Allow selected' });
/** A real mouse click on Allow even while it is disarmed (aria-disabled). */
const clickAllow = (page: Page) => allow(page).click({ force: true });
/** The same, once Allow is armed: the answer closes the dialog, which may overtake the click (closing-click.ts). */
const clickArmedAllow = (page: Page) => clickClosingWindow(page, allow(page), { force: true });
/** Let any message the page sent reach "main" before asserting that none was accepted. */
const settle = async (page: Page) => {
  // (A plain round trip: the page clock is paused, so no timers or frames here.)
  await page.evaluate(() => undefined);
  await page.evaluate(() => undefined);
};

test.describe('attack: clickjacking the consent dialog', () => {
  test.beforeEach(async ({ context }) => {
    // Page time stands still until the test moves it; the agent's clock is real.
    await context.clock.install({ time: Date.now() });
    await context.clock.pauseAt(Date.now() + 100);
  });

  test('clicking Allow within the arm delay does nothing', async ({ context }) => {
    const b = await agents.start(context);
    const req = b.request();
    b.relay.sendRequest(req);
    const page = await b.ui.page('consent');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await clickAllow(page);
    await clickAllow(page);
    await context.clock.runFor(999);
    await clickAllow(page);
    await settle(page);
    expect(b.ui.answers).toEqual([]);
    expect(b.agent.status().prompting).toBe(true);
    expect(b.relay.ofType('session.decision')).toHaveLength(0);
    await context.clock.runFor(1);
    await expect(allow(page)).toHaveAttribute('aria-disabled', 'false');
    await clickArmedAllow(page);
    expect(await b.relay.waitFor('session.decision', (d) => d.requestId === req.requestId)).toMatchObject({ outcome: 'partial', granted: ['view'], decidedBy: 'user' });
  });

  test('clicking Allow after the dialog lost focus does nothing until a full second of focus again', async ({ context }) => {
    const b = await agents.start(context);
    const req = b.request();
    b.relay.sendRequest(req);
    const page = await b.ui.page('consent');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await context.clock.runFor(1000);
    await expect(allow(page)).toHaveAttribute('aria-disabled', 'false');
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    await clickAllow(page);
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await context.clock.runFor(999);
    await clickAllow(page);
    await settle(page);
    expect(b.ui.answers).toEqual([]);
    expect(b.relay.ofType('session.decision')).toHaveLength(0);
    await context.clock.runFor(1);
    await clickArmedAllow(page);
    expect(await b.relay.waitFor('session.decision', (d) => d.requestId === req.requestId)).toMatchObject({ outcome: 'partial', granted: ['view'] });
  });

  test('pressing Enter or holding a key (key repeat) never accepts', async ({ context }) => {
    const b = await agents.start(context);
    const req = b.request();
    b.relay.sendRequest(req);
    const page = await b.ui.page('consent');
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    // A Space already held when the prompt pops up, auto-repeating while Allow arms, then released.
    await allow(page).focus();
    await page.keyboard.down(' ');
    for (let i = 0; i < 5; i++) {
      await context.clock.runFor(300);
      await page.keyboard.down(' ');
    }
    await page.keyboard.up(' ');
    // Armed and focused: Enter, NumpadEnter and a held (repeating) Enter do nothing.
    await expect(allow(page)).toHaveAttribute('aria-disabled', 'false');
    await allow(page).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('NumpadEnter');
    await page.keyboard.down('Enter');
    await page.keyboard.down('Enter');
    await page.keyboard.down('Enter');
    await page.keyboard.up('Enter');
    await settle(page);
    expect(b.ui.answers).toEqual([]);
    expect(b.relay.ofType('session.decision')).toHaveLength(0);
    // A deliberate fresh Space press on the armed button does accept (the control).
    await actClosingWindow(page, () => page.keyboard.press(' '));
    expect(await b.relay.waitFor('session.decision', (d) => d.requestId === req.requestId)).toMatchObject({ outcome: 'partial', granted: ['view'] });
  });
});

test.describe('attack: markup in every request field', () => {
  const hostile = (label: string) => `${label} ${HOSTILE}`;
  /** File names may not contain slashes, so no closing tags here. */
  const HOSTILE_FILE = '<img src=x onerror="window.__pwned=1;alert(1)">.txt';

  test('HTML and script in every request field render as text on the consent page, banner and summary, and never run', async ({ context }) => {
    const dialogs: string[] = [];
    context.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const b = await agents.start(context, { fileTransfer: { maxBytes: 1_000_000, blockedExtensions: ['.exe'], requireTicket: false } });
    const req = b.request({
      technician: { id: 'mallory', name: hostile('name'), group: 'helpdesk', org: hostile('org') },
      ticket: { id: 'INC0066666', url: 'https://helpdesk.example.com/t/?q=%3Cimg%20src=x%20onerror=alert(1)%3E' },
      reason: hostile('reason'),
      scopes: ['view', 'file-transfer'],
    });
    b.relay.sendRequest(req);
    const consent = await b.ui.page('consent');
    await expect(consent.getByRole('heading', { level: 1 })).toContainText(HOSTILE);
    await expectInertMarkup(consent, ['name', 'org', 'reason'], dialogs);
    await consent.getByRole('checkbox', { name: /Transfer files/ }).check();
    await expect(allow(consent)).toHaveAttribute('aria-disabled', 'false');
    await clickClosingWindow(consent, allow(consent));
    const { sessionId } = await b.relay.waitFor('session.started');

    b.relay.send({ v: 1, type: 'session.narration', id: newMessageId(), sessionId, text: hostile('narration') });
    b.relay.send({ v: 1, type: 'session.file-transfer', id: newMessageId(), sessionId, transferId: 'tr-x', name: HOSTILE_FILE, size: 10, sha256: 'd'.repeat(64), direction: 'to-device' });
    await b.relay.waitFor('session.file-transfer-result');
    const banner = await b.ui.page('banner');
    await expect(banner.locator('.narration')).toHaveText(hostile('narration'));
    await banner.getByRole('button', { name: 'Details' }).click();
    await expectInertMarkup(banner, ['name', 'narration'], dialogs);

    await clickClosingWindow(banner, banner.getByRole('button', { name: 'End session' }));
    const summary = await b.ui.page('summary');
    await expect(summary.getByText(HOSTILE_FILE)).toBeVisible();
    await expectInertMarkup(summary, ['name', 'narration'], dialogs);
    expect(b.ui.pageErrors).toEqual([]);
  });

  test('HTML and script in emergency justification and incident render as text in the banner', async ({ context }) => {
    const dialogs: string[] = [];
    context.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const b = await agents.start(context, { unattendedAllowed: true, emergencyAllowed: true, unattendedGroups: ['oncall'] });
    b.relay.sendRequest(
      b.request({
        mode: 'unattended',
        technician: { id: 'mallory', name: hostile('name'), group: 'oncall' },
        approval: { kind: 'emergency', justification: hostile('justification'), incident: hostile('incident') },
      }),
    );
    await b.relay.waitFor('session.started');
    const banner = await b.ui.page('banner');
    await banner.getByRole('button', { name: 'Details' }).click();
    await expectInertMarkup(banner, ['name', 'justification', 'incident'], dialogs);
  });
});
