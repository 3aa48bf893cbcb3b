// The consent dialog in real Chromium, fed through a fake bridge.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { deliver, sentMessages, sentOn } from './fake-bridge.js';
import type { ConsentView } from '../../src/shared/view-models.js';
import { cspViolations, openPage, saveScreenshot, THEMES } from './open-page.js';
import { expectInertMarkup, expectNoAxeOrCspViolations, recordDialogs, sidewaysOverflow } from './page-checks.js';
import { consentView, hostileConsentView, hostileUnattendedConsentView, HOSTILE } from './sample-views.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'consent');

async function showConsent(page: Page, view: unknown = consentView(), theme: (typeof THEMES)[number] = 'light') {
  await openPage(page, baseUrl(), 'consent', theme);
  await deliver(page, 'consent:show', view);
  // Allow's delay counts from when the list was reported on screen, not from delivery.
  await expect(page.locator('.scope-set')).toHaveAttribute('data-in-view', 'true');
}

const allow = (page: Page) => page.getByRole('button', { name: 'Allow selected' });
/** A real mouse click on Allow, also while it is disarmed (aria-disabled): force skips Playwright's wait for "enabled". */
const clickAllow = (page: Page) => allow(page).click({ force: true });
const answers = (page: Page) => sentOn(page, 'consent:answer');

test.describe('consent dialog', () => {
  test('asks for its prompt, then shows who asks, why, the code and each requested scope', async ({ page }) => {
    await openPage(page, baseUrl(), 'consent');
    expect(await sentOn(page, 'consent:ready')).toEqual([undefined]);
    await deliver(page, 'consent:show', consentView());

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Alice Moreau wants to connect to this computer');
    await expect(page.getByText('helpdesk · Robinson Park IT')).toBeVisible();
    await expect(page.locator('.code')).toContainText('482 913');
    await expect(page.getByText('Check this matches what your technician reads to you.')).toBeVisible();
    await expect(page.getByText('INC0012345')).toBeVisible();
    await expect(page.getByText('helpdesk.example.com')).toBeVisible();
    await expect(page.getByText('Outlook crashes when opening shared calendars.')).toBeVisible();
    await expect(page.getByText('20 minutes')).toBeVisible();
    await expect(page.locator('.badge-mode')).toHaveText('You decide');
    await expect(page.getByRole('timer')).toHaveText('Declines automatically in 2:00');
    await expect(page.getByText('1 more request waiting', { exact: true })).toBeVisible();

    // Only `view` starts ticked; control, admin and file transfer are higher risk, marked, and start unticked.
    await expect(page.getByRole('checkbox', { name: 'See your screen' })).toBeChecked();
    const control = page.getByRole('checkbox', { name: 'Use your mouse and keyboard' });
    await expect(control).not.toBeChecked();
    await expect(page.locator('.scope-risky').filter({ has: control })).toContainText('Higher risk');
    // Blocked scopes are shown but not selectable.
    const files = page.getByRole('checkbox', { name: /Transfer files/ });
    await expect(files).not.toBeChecked();
    await expect(page.locator('.scope-risky').filter({ has: files })).toContainText('Higher risk');
    await expect(page.getByRole('checkbox', { name: /Administrator rights/ })).toBeDisabled();
    await expect(page.getByText('Not allowed by your organisation')).toBeVisible();
    await expect(page.locator('#announcer')).toContainText('New remote support request from Alice Moreau.');
  });

  test('sends exactly the scopes the user ticked', async ({ page }) => {
    await showConsent(page);
    await page.getByRole('checkbox', { name: 'Use your mouse and keyboard' }).uncheck();
    await page.getByRole('checkbox', { name: /Transfer files/ }).check();
    await page.clock.runFor(1000);
    await clickAllow(page);
    expect(await answers(page)).toEqual([{ kind: 'decision', promptId: 'prompt-0001', granted: ['view', 'file-transfer'] }]);
    await expect(page.getByRole('status')).toHaveText('Your answer was sent. The session will start shortly.');
    // One answer per prompt: further clicks send nothing.
    await clickAllow(page);
    expect(await answers(page)).toHaveLength(1);
  });

  test('Allow does nothing before the page has been focused for one second', async ({ page }) => {
    await showConsent(page);
    await expect(allow(page)).toHaveAttribute('aria-disabled', 'true');
    await expect(page.locator('#allow-hint')).toHaveText(/Allow becomes available/);
    await page.clock.runFor(999);
    await clickAllow(page);
    expect(await answers(page)).toEqual([]);
    await page.clock.runFor(1);
    await expect(allow(page)).toHaveAttribute('aria-disabled', 'false');
    await clickAllow(page);
    expect(await answers(page)).toEqual([{ kind: 'decision', promptId: 'prompt-0001', granted: ['view'] }]);
  });

  test('Allow disarms on blur and needs another full second of focus', async ({ page }) => {
    await showConsent(page);
    await page.clock.runFor(1000);
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    await expect(allow(page)).toHaveAttribute('aria-disabled', 'true');
    await clickAllow(page);
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.clock.runFor(999);
    await clickAllow(page);
    expect(await answers(page)).toEqual([]);
    await page.clock.runFor(1);
    await clickAllow(page);
    expect(await answers(page)).toHaveLength(1);
  });

  test('a prompt that replaces another must be focused for a full second again', async ({ page }) => {
    await showConsent(page);
    await page.clock.runFor(5000);
    await deliver(page, 'consent:show', consentView({ promptId: 'prompt-0002', technician: { id: 'bob', name: 'Bob Ng', group: 'helpdesk' } }));
    await clickAllow(page);
    expect(await answers(page)).toEqual([]);
    await page.clock.runFor(1000);
    await clickAllow(page);
    expect(await answers(page)).toEqual([{ kind: 'decision', promptId: 'prompt-0002', granted: ['view'] }]);
  });

  test('a mouse press that began before Allow armed does not accept on release', async ({ page }) => {
    await showConsent(page);
    await allow(page).scrollIntoViewIfNeeded();
    const box = (await allow(page).boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.clock.runFor(1500);
    await page.mouse.up();
    expect(await answers(page)).toEqual([]);
    // A fresh press after arming does accept.
    await page.mouse.down();
    await page.mouse.up();
    expect(await answers(page)).toHaveLength(1);
  });

  test('Enter never accepts, even when Allow is armed and focused', async ({ page }) => {
    await showConsent(page);
    await page.clock.runFor(1000);
    await allow(page).focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('NumpadEnter');
    expect(await answers(page)).toEqual([]);
    // Space is a deliberate press on the focused button and does accept once armed.
    await page.keyboard.press(' ');
    expect(await answers(page)).toHaveLength(1);
  });

  test('a held key is not repeated into the dialog', async ({ page }) => {
    await showConsent(page);
    await page.clock.runFor(1000);
    await page.getByRole('button', { name: /Open ticket/ }).focus();
    await page.keyboard.down('Enter');
    await page.keyboard.down('Enter');
    await page.keyboard.down('Enter');
    await page.keyboard.up('Enter');
    expect(await sentOn(page, 'consent:open-ticket')).toHaveLength(1);
  });

  test('a Space held down before Allow armed does not accept on release', async ({ page }) => {
    await showConsent(page);
    await allow(page).focus();
    await page.keyboard.down(' ');
    await page.clock.runFor(1500);
    await page.keyboard.down(' ');
    await page.keyboard.up(' ');
    expect(await answers(page)).toEqual([]);
    await page.keyboard.press(' ');
    expect(await answers(page)).toHaveLength(1);
  });

  test('works from the keyboard alone, with a visible focus ring', async ({ page }) => {
    await showConsent(page);
    await page.clock.runFor(1000);
    // Consent first: the access list comes before the ticket link and the details.
    await page.keyboard.press('Tab');
    await expect(page.getByRole('checkbox', { name: 'See your screen' })).toBeFocused();
    await page.keyboard.press('Tab');
    const control = page.getByRole('checkbox', { name: 'Use your mouse and keyboard' });
    await expect(control).toBeFocused();
    expect(await control.evaluate((el) => getComputedStyle(el).outlineStyle)).toBe('solid');
    await page.keyboard.press(' ');
    await page.keyboard.press('Tab');
    await page.keyboard.press(' ');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: /Open ticket/ })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Decline' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(allow(page)).toBeFocused();
    await page.keyboard.press(' ');
    expect(await answers(page)).toEqual([{ kind: 'decision', promptId: 'prompt-0001', granted: ['view', 'control', 'file-transfer'] }]);
  });

  test('Escape declines everything', async ({ page }) => {
    await showConsent(page);
    await page.keyboard.press('Escape');
    expect(await answers(page)).toEqual([{ kind: 'dismissed', promptId: 'prompt-0001', reason: 'escape' }]);
    await expect(page.getByRole('status')).toHaveText('Request declined. Nothing was shared.');
  });

  test('Decline declines everything', async ({ page }) => {
    await showConsent(page);
    await page.getByRole('button', { name: 'Decline' }).click();
    expect(await answers(page)).toEqual([{ kind: 'dismissed', promptId: 'prompt-0001', reason: 'declined' }]);
  });

  test('once declined, no countdown and no queue line stand next to "Request declined"', async ({ page }) => {
    await showConsent(page);
    await expect(page.getByRole('timer')).toHaveText('Declines automatically in 2:00');
    await expect(page.getByText('1 more request waiting', { exact: true })).toBeVisible();
    await page.getByRole('button', { name: 'Decline' }).click();
    await expect(page.getByRole('status')).toHaveText('Request declined. Nothing was shared.');
    await expect(page.getByText(/Declines automatically/)).toHaveCount(0);
    await expect(page.getByText(/more requests? waiting/)).toHaveCount(0);
    // The clock running on changes nothing: no tick puts the countdown back.
    await page.clock.runFor(5000);
    await expect(page.getByText(/Declines automatically/)).toHaveCount(0);
    // Nor does a late queue count.
    await deliver(page, 'consent:queued', { promptId: 'prompt-0001', queued: 3 });
    await expect(page.getByText(/more requests? waiting/)).toHaveCount(0);
  });

  test('"N more requests waiting" follows the queue while the prompt is up', async ({ page }) => {
    await showConsent(page, consentView({ queued: 0 }));
    await expect(page.getByText(/more requests? waiting/)).toHaveCount(0);
    await deliver(page, 'consent:queued', { promptId: 'prompt-0001', queued: 2 });
    await expect(page.getByText('2 more requests waiting', { exact: true })).toBeVisible();
    // A count meant for another prompt is not this one's.
    await deliver(page, 'consent:queued', { promptId: 'prompt-0002', queued: 5 });
    await expect(page.getByText('2 more requests waiting', { exact: true })).toBeVisible();
    await deliver(page, 'consent:queued', { promptId: 'prompt-0001', queued: 0 });
    await expect(page.getByText(/more requests? waiting/)).toHaveCount(0);
  });

  test('the countdown runs visibly and declines when it reaches zero', async ({ page }) => {
    await showConsent(page);
    await page.clock.runFor(45_000);
    await expect(page.getByRole('timer')).toHaveText('Declines automatically in 1:15');
    await page.clock.runFor(50_000);
    await expect(page.locator('#announcer')).toHaveText('This request declines automatically in 30 seconds.');
    expect(await answers(page)).toEqual([]);
    await page.clock.runFor(25_000);
    expect(await answers(page)).toEqual([{ kind: 'dismissed', promptId: 'prompt-0001', reason: 'timeout' }]);
  });

  test('Allow with nothing ticked sends nothing and says why', async ({ page }) => {
    await showConsent(page);
    await page.getByRole('checkbox', { name: 'See your screen' }).uncheck();
    await page.getByRole('checkbox', { name: 'Use your mouse and keyboard' }).uncheck();
    await page.clock.runFor(1000);
    await clickAllow(page);
    expect(await answers(page)).toEqual([]);
    await expect(page.locator('#allow-hint')).toHaveText('Select at least one kind of access to allow, or choose Decline.');
  });

  test('opening the ticket goes through the bridge with the ticket URL', async ({ page }) => {
    await showConsent(page);
    await page.getByRole('button', { name: 'Open ticket INC0012345 in your browser' }).click();
    expect(await sentOn(page, 'consent:open-ticket')).toEqual(['https://helpdesk.example.com/tickets/INC0012345']);
  });

  test('shows unattended approvals and escalations', async ({ page }) => {
    await showConsent(page, consentView({ kind: 'escalation', sessionId: 'ses-0001', scopes: ['admin'], blockedScopes: [], extendMinutes: 15, mode: { kind: 'unattended', approver: 'Bob Manager', reference: 'CHG0004711' }, queued: 0 }));
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Alice Moreau asks for more access during your session');
    await expect(page.locator('.mode-title')).toHaveText('A manager approved this request in advance');
    await expect(page.getByText('Bob Manager')).toBeVisible();
    await expect(page.getByText('CHG0004711')).toBeVisible();
    await expect(page.getByText('15 minutes')).toBeVisible();
    await expect(page.getByText(/more request/)).toHaveCount(0);
  });

  test.describe('escalation while the technician holds control: a code only this window shows', () => {
    const code = '472';
    const escalation = (overrides: Partial<ConsentView> = {}) => consentView({ kind: 'escalation', sessionId: 'ses-0001', scopes: ['file-transfer'], blockedScopes: [], queued: 0, confirmCode: code, ...overrides });
    const codeInput = (page: Page) => page.getByRole('textbox', { name: 'To allow, type this 3-digit confirmation code' });
    const tickFiles = (page: Page) => page.getByRole('checkbox', { name: /Transfer files/ }).check();

    test('Allow stays disarmed without the code, however long the dialog was in front', async ({ page }) => {
      await showConsent(page, escalation());
      await expect(page.locator('.confirm-box')).toContainText('To allow, type this 3-digit confirmation code');
      await expect(page.locator('.confirm-code')).toContainText(code);
      await tickFiles(page);
      await page.clock.runFor(5000);
      await expect(allow(page)).toHaveAttribute('aria-disabled', 'true');
      await expect(page.locator('#allow-hint')).toHaveText('Type the confirmation code shown in this window to make Allow available.');
      await saveScreenshot(page, 'consent-escalation-code-light');
      // The attack: a blind click where Allow is, with the arm delay long passed.
      await clickAllow(page);
      expect(await answers(page)).toEqual([]);
    });

    test('a wrong code keeps Allow disarmed, and three decline the request', async ({ page }) => {
      await showConsent(page, escalation());
      await tickFiles(page);
      await page.clock.runFor(1000);
      // A wrong code counts once it is submitted (Enter, leaving the field or Allow), not while it is typed.
      await codeInput(page).pressSequentially('471');
      await expect(allow(page)).toHaveAttribute('aria-disabled', 'true');
      await codeInput(page).press('Enter');
      await expect(codeInput(page)).toHaveValue('');
      await expect(allow(page)).toHaveAttribute('aria-disabled', 'true');
      await expect(page.locator('#allow-hint')).toHaveText('That code does not match. 2 tries left.');
      await clickAllow(page);
      expect(await answers(page)).toEqual([]);
      await codeInput(page).pressSequentially('000');
      await codeInput(page).press('Enter');
      await codeInput(page).pressSequentially('999');
      await codeInput(page).press('Enter');
      // The core stops asking for escalations in this session when it hears why.
      expect(await answers(page)).toEqual([{ kind: 'dismissed', promptId: 'prompt-0001', reason: 'code-failed' }]);
      await expect(page.getByRole('status')).toHaveText('The code was typed wrong too many times. Request declined.');
    });

    test('the right code arms Allow (after the usual delay) and goes to main only in the answer', async ({ page }) => {
      await showConsent(page, escalation());
      await tickFiles(page);
      await codeInput(page).pressSequentially(code);
      // The arm delay still applies: typing the code does not skip it.
      await expect(allow(page)).toHaveAttribute('aria-disabled', 'true');
      await clickAllow(page);
      expect(await answers(page)).toEqual([]);
      await page.clock.runFor(1000);
      await expect(allow(page)).toHaveAttribute('aria-disabled', 'false');
      await page.getByRole('button', { name: /Open ticket/ }).click();
      await clickAllow(page);
      expect(await answers(page)).toEqual([{ kind: 'decision', promptId: 'prompt-0001', granted: ['file-transfer'], confirmCode: code }]);
      const others = (await sentMessages(page)).filter((m) => m.channel !== 'consent:answer');
      expect(others.map((m) => m.channel)).toEqual(['consent:ready', 'consent:open-ticket']);
      expect(JSON.stringify(others)).not.toContain(code);
    });

    test('typing the 6-digit verification code into the box spends no try and says why', async ({ page }) => {
      await showConsent(page, escalation());
      await tickFiles(page);
      await page.clock.runFor(1000);
      await codeInput(page).pressSequentially('482913');
      await expect(page.locator('#allow-hint')).toHaveText('The confirmation code has only 3 digits. Nothing was counted: type the 3 digits shown above.');
      await codeInput(page).press('Enter');
      await clickAllow(page);
      await codeInput(page).fill('');
      await codeInput(page).pressSequentially(code);
      await clickAllow(page);
      // No try was spent: the right code still arms and allows.
      expect(await answers(page)).toEqual([{ kind: 'decision', promptId: 'prompt-0001', granted: ['file-transfer'], confirmCode: code }]);
    });

    test('states the rules in words, and looks unlike the verification code', async ({ page }) => {
      await showConsent(page, escalation());
      await expect(page.locator('#confirm-rules')).toHaveText(
        'This 3-digit code is not the verification code. After 3 wrong tries this request is declined and no more access can be asked for in this session.',
      );
      const look = (sel: string) => page.locator(sel).evaluate((el) => { const s = getComputedStyle(el); return `${s.borderTopStyle} ${s.backgroundColor}`; });
      expect(await look('.confirm-box')).not.toEqual(await look('.code-box'));
      expect(await page.locator('.confirm-code').textContent()).toHaveLength(3 + 5);
    });

    test('a new prompt asks for its own code', async ({ page }) => {
      await showConsent(page, escalation());
      await codeInput(page).pressSequentially(code);
      await deliver(page, 'consent:show', escalation({ promptId: 'prompt-0002', confirmCode: '815' }));
      await tickFiles(page);
      await page.clock.runFor(1000);
      await expect(codeInput(page)).toHaveValue('');
      await expect(allow(page)).toHaveAttribute('aria-disabled', 'true');
      await codeInput(page).pressSequentially('815');
      await clickAllow(page);
      expect(await answers(page)).toEqual([{ kind: 'decision', promptId: 'prompt-0002', granted: ['file-transfer'], confirmCode: '815' }]);
    });

    test('has no axe violations with the code box', async ({ page }) => {
      await page.setViewportSize({ width: 560, height: 900 });
      await showConsent(page, escalation());
      await page.clock.runFor(1000);
      await expectNoAxeOrCspViolations(page);
    });
  });

  test('a prompt that fails the contract is not shown and is declined', async ({ page }) => {
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', { ...consentView(), scopes: ['view', 'root'] });
    await expect(page.getByRole('alert')).toHaveText('This request could not be shown safely and was declined.');
    await expect(page.getByRole('button', { name: 'Allow selected' })).toHaveCount(0);
    expect(await answers(page)).toEqual([{ kind: 'dismissed', promptId: 'prompt-0001' }]);
  });

  for (const [label, view] of [
    ['emergency', hostileConsentView()],
    ['unattended', hostileUnattendedConsentView()],
  ] as const) {
    test(`markup in every field of an ${label} request renders as inert text`, async ({ page }) => {
      const dialogs = recordDialogs(page);
      await showConsent(page, view);
      await expect(page.getByRole('heading', { level: 1 })).toContainText(HOSTILE);
      await page.clock.runFor(1000);
      await expectInertMarkup(page, label === 'emergency' ? ['name', 'org', 'reason', 'justification', 'incident'] : ['name', 'approver', 'reference'], dialogs);
    });
  }

  test('a request a manager approved: the user decides; without an answer the page says the approval applies', async ({ page }) => {
    const view = consentView({ mode: { kind: 'unattended', approver: 'Maria Manager', reference: 'CHG-7781' }, approvalIfNoAnswer: true });
    await showConsent(page, view);
    await expect(page.locator('.mode-title')).toHaveText('A manager approved this for when you are away. You decide.');
    const panel = page.getByRole('region', { name: 'A manager approved this for when you are away. You decide.' });
    await expect(panel).toContainText('Approved byMaria Manager');
    await expect(panel).toContainText('ReferenceCHG-7781');
    await expect(panel).toContainText('If you declineThe approval is not used.');
    await expect(panel).toContainText('If nobody answersThe approval applies when the time runs out.');
    // Who approved it leads the details, before the ticket and the technician's words.
    await expect(page.locator('#consent-details > *').first()).toHaveClass(/mode-panel/);
    await expect(page.locator('.countdown')).toHaveText(/^Approval applies in \d+:\d\d$/);
    await page.clock.runFor(Date.parse(view.expiresAt) - (await page.evaluate(() => Date.now())) + 1000);
    await expect(page.getByRole('status')).toHaveText('Nobody answered, so the manager’s approval applies.');
    expect(await answers(page)).toEqual([{ kind: 'dismissed', promptId: view.promptId, reason: 'timeout' }]);
  });

  const emergency = consentView({
    mode: { kind: 'emergency', justification: 'Payroll server unreachable; the payroll run is due at 12:00.', incident: 'MAJ-2026-118' },
    scopes: ['view', 'control', 'admin'],
    blockedScopes: ['file-transfer'],
    queued: 0,
  });
  for (const theme of THEMES) {
    for (const [name, view] of [
      ['consent', consentView()],
      ['consent-emergency', emergency],
      ['consent-approval-if-away', consentView({ mode: { kind: 'unattended', approver: 'Maria Manager', reference: 'CHG-7781' }, approvalIfNoAnswer: true })],
    ] as const) {
      test(`${name} has no axe violations and is screenshotted (${theme})`, async ({ page }) => {
        await page.setViewportSize({ width: 560, height: 900 });
        await showConsent(page, view, theme);
        await page.clock.runFor(1000);
        await saveScreenshot(page, `${name}-${theme}`);
        await expectNoAxeOrCspViolations(page);
      });
    }
  }

  test('its Content-Security-Policy stops injected inline script and styles', async ({ page }) => {
    await showConsent(page);
    const meta = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(meta).toContain("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'");
    const ran = await page.evaluate(() => {
      const w = globalThis as unknown as { __inline?: number; document: { createElement(t: string): { textContent: string; setAttribute(n: string, v: string): void }; body: { append(n: unknown): void } } };
      const script = w.document.createElement('script');
      script.textContent = 'globalThis.__inline = 1';
      w.document.body.append(script);
      return w.__inline;
    });
    expect(ran).toBeUndefined();
    expect((await cspViolations(page)).some((v) => v.startsWith('script-src'))).toBe(true);
  });

  test('keeps the countdown and both buttons on screen in a window shorter than the request', async ({ page }) => {
    await page.setViewportSize({ width: 560, height: 600 });
    await showConsent(page);
    await expect(allow(page)).toBeInViewport();
    await expect(page.getByRole('button', { name: 'Decline' })).toBeInViewport();
    await expect(page.getByRole('timer')).toBeInViewport();
  });

  test('stays readable at 200 % zoom: nothing scrolls sideways', async ({ page }) => {
    await page.setViewportSize({ width: 280, height: 450 });
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', consentView());
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await saveScreenshot(page, 'consent-zoom200-light');
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  });
});
