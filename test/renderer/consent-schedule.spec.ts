// The scheduling prompt (issue 20) in Chromium: "Alice would like to connect tonight 18:00-20:00 for
// INC0012345 (view, control). Agree?" in the user's time zone and locale, with the exact times; Agree /
// Decline under the consent page's rules (verification code, arm delay, no default action, nothing to
// scroll at the shell's window size, light and dark, 200 % zoom), hostile text inert.
import { expect, test } from '@playwright/test';
import { CONSENT_SIZE } from '../../src/main/window-options.js';
import { CONTACT_NOTE_MAX } from '../../src/protocol/contact.js';
import { MAX_NAME_LENGTH } from '../../src/protocol/primitives.js';
import { consentViewSchema } from '../../src/shared/view-models.js';
import { dayWords, windowWords } from '../../src/shared/window-words.js';
import { deliver, sentOn } from './fake-bridge.js';
import { expectFocusRingVisible, expectOnScreenAndUncovered, expectShowMoreClear, longest, sidewaysScroll, verticalScroll } from './geometry-checks.js';
import { axeViolations, openPage, screenshotDir, THEMES } from './open-page.js';
import { hostile, scheduleView, T0 } from './sample-views.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'consent');
test.use({ locale: 'en-GB', timezoneId: 'Europe/London' });

test.describe('the scheduling prompt', () => {
  test('asks in words, in the user’s time zone, with the exact times, and Agree sends the window’s scopes once', async ({ page }) => {
    await page.setViewportSize(CONSENT_SIZE);
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', scheduleView());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Alice Moreau would like to connect tonight 18:00\u201120:00 for INC0012345 (view, control). Agree?');
    await expect(page.locator('.kicker')).toHaveText('Agree to a time for remote support');
    await expect(page.locator('#consent-details')).toContainText('24 Nov 2026, 18:00 to 24 Nov 2026, 20:00');
    await expect(page.locator('.code')).toContainText('482 913');
    await expect(page.locator('.window-hint')).toContainText('starts without asking you again');
    // Nothing to tick: the window is agreed to as proposed.
    await expect(page.locator('.scope input:visible')).toHaveCount(0);
    const agree = page.getByRole('button', { name: 'Agree' });
    await expect(agree).toHaveAttribute('aria-disabled', 'true');
    await expect(page.locator('#allow-hint')).toHaveText(/Agree becomes available/);
    // No default action: Enter does nothing, before or after arming.
    await page.keyboard.press('Enter');
    await page.clock.runFor(1000);
    await expect(agree).toHaveAttribute('aria-disabled', 'false');
    await page.keyboard.press('Enter');
    expect(await sentOn(page, 'consent:answer')).toEqual([]);
    await agree.click();
    await agree.dispatchEvent('click');
    expect(await sentOn(page, 'consent:answer')).toEqual([{ kind: 'decision', promptId: 'prompt-0001', granted: ['view', 'control'] }]);
    await expect(page.getByRole('status')).toHaveText('Agreed. You can cancel it from the Porchlight menu in the tray.');
    expect(await axeViolations(page)).toEqual([]);
  });

  test('Decline and Escape decline; closing declines', async ({ page }) => {
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', scheduleView());
    await page.getByRole('button', { name: 'Decline' }).click();
    await deliver(page, 'consent:show', scheduleView({ promptId: 'prompt-0002' }));
    await page.keyboard.press('Escape');
    expect(await sentOn(page, 'consent:answer')).toEqual([
      { kind: 'dismissed', promptId: 'prompt-0001', reason: 'declined' },
      { kind: 'dismissed', promptId: 'prompt-0002', reason: 'escape' },
    ]);
  });

  test('a schedule prompt without its window (or a window on another prompt) is refused, never shown', async ({ page }) => {
    const { window: _w, ...noWindow } = scheduleView();
    expect(consentViewSchema.safeParse(noWindow).success).toBe(false);
    expect(consentViewSchema.safeParse({ ...scheduleView(), kind: 'session' }).success).toBe(false);
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', noWindow);
    await expect(page.getByRole('alert')).toHaveText('This request could not be shown safely and was declined.');
    expect(await sentOn(page, 'consent:answer')).toEqual([{ kind: 'dismissed', promptId: 'prompt-0001' }]);
  });

  test('hostile names, ticket and reason are text in their own isolates, never markup', async ({ page }) => {
    await page.setViewportSize(CONSENT_SIZE);
    await openPage(page, baseUrl(), 'consent');
    const name = hostile('Alice').slice(0, 64);
    await deliver(page, 'consent:show', scheduleView({ technician: { id: 'm', name, group: 'helpdesk', org: hostile('Org').slice(0, 64) }, reason: hostile('reason') }));
    await expect(page.locator('h1 bdi.who-name')).toHaveText(name);
    expect(await page.locator('img, script:not([src]), b').count()).toBe(0);
    await expect(page.locator('h1 .window-when')).toHaveText('tonight 18:00\u201120:00');
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
  });

  for (const theme of THEMES) {
    test(`at the shell window size with the longest texts, nothing to decide on needs scrolling (${theme})`, async ({ page }) => {
      await page.setViewportSize(CONSENT_SIZE);
      await openPage(page, baseUrl(), 'consent', theme);
      const view = scheduleView({
        technician: { id: 'alice', name: longest('Wilhelmina Maximiliane', MAX_NAME_LENGTH), group: 'helpdesk-tier2', org: longest('Robinson Park Municipal IT', MAX_NAME_LENGTH) },
        ticket: { id: `INC${'0'.repeat(61)}`, url: 'https://helpdesk.example.com/tickets/INC0012345' },
        reason: longest('Reinstall the calendar add-in after hours and repair the profile.', 500),
        scopes: ['view', 'control', 'admin', 'file-transfer'],
        itWording: { displayName: longest('Robinson Park IT', 40), customLine: longest('We will never ask for your password.', 80), supportPhone: '+1 (555) 0100 ext. 47110' },
        window: { startsAt: '2026-11-25T23:00:00.000Z', endsAt: '2026-11-26T09:00:00.000Z' },
        contact: { channel: 'in-person', at: '2026-11-24T09:15:00.000Z', note: longest('met at the front desk, ext. 4411', CONTACT_NOTE_MAX) },
        contactRequired: true,
        queued: 100,
      });
      await deliver(page, 'consent:show', view);
      await expect(page.getByRole('heading', { level: 1 })).toContainText('tomorrow evening 23:00\u201109:00 (next day)');
      await page.screenshot({ path: `${screenshotDir}/consent-schedule-longest-${theme}.png`, animations: 'disabled' });
      // Neither the page nor the part above the footer scrolls: the long details give way, behind "Show more".
      expect(await verticalScroll(page)).toBeLessThanOrEqual(0);
      expect(await verticalScroll(page, '.consent-scroll')).toBeLessThanOrEqual(0);
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      await expectOnScreenAndUncovered(page.locator('h1'), 'the question');
      await expectOnScreenAndUncovered(page.locator('.code'), 'verification code');
      for (const row of await page.locator('.scope').all()) await expectOnScreenAndUncovered(row, 'scope row');
      const decline = page.getByRole('button', { name: 'Decline' });
      const agree = page.getByRole('button', { name: 'Agree' });
      await expectOnScreenAndUncovered(decline, 'Decline');
      await expectOnScreenAndUncovered(agree, 'Agree');
      await expectShowMoreClear(page);
      await page.clock.runFor(1000);
      await expect(agree).toHaveAttribute('aria-disabled', 'false');
      await page.keyboard.press('Shift');
      await expectFocusRingVisible(page, decline, 'Decline');
      await expectFocusRingVisible(page, agree, 'Agree');
      await expectFocusRingVisible(page, page.getByRole('button', { name: 'Show more' }), 'Show more');
      await page.screenshot({ path: `${screenshotDir}/consent-schedule-longest-${theme}.png`, animations: 'disabled' });
    });

    test(`the realistic prompt at the shell window size (${theme})`, async ({ page }) => {
      await page.setViewportSize(CONSENT_SIZE);
      await openPage(page, baseUrl(), 'consent', theme);
      await deliver(page, 'consent:show', scheduleView());
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await verticalScroll(page, '.consent-scroll')).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${screenshotDir}/consent-schedule-${theme}.png`, animations: 'disabled' });
    });

    test(`at 200 % zoom Decline and Agree stay on screen and Agree waits until the list was seen (${theme})`, async ({ browser }) => {
      const context = await browser.newContext({ viewport: { width: CONSENT_SIZE.width / 2, height: CONSENT_SIZE.height / 2 }, deviceScaleFactor: 2, locale: 'en-GB', timezoneId: 'Europe/London' });
      const page = await context.newPage();
      await openPage(page, baseUrl(), 'consent', theme);
      await deliver(page, 'consent:show', scheduleView({ scopes: ['view', 'control', 'admin', 'file-transfer'] }));
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      const agree = page.getByRole('button', { name: 'Agree' });
      await expectOnScreenAndUncovered(page.getByRole('button', { name: 'Decline' }), 'Decline');
      await expectOnScreenAndUncovered(agree, 'Agree');
      await page.screenshot({ path: `${screenshotDir}/consent-schedule-zoom200-${theme}.png` });
      // The list is taller than the zoomed window: scroll it through, row by row, as the consent page expects.
      for (const row of await page.locator('.scope-set legend, .scope').all()) {
        await row.scrollIntoViewIfNeeded();
        await expect.poll(() => row.evaluate((el) => el.getBoundingClientRect().top >= 0)).toBe(true);
      }
      await page.locator('.scope').last().evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: `${screenshotDir}/consent-schedule-zoom200-list-${theme}.png` });
      await expect(page.locator('.scope-set')).toHaveAttribute('data-in-view', 'true');
      await page.clock.runFor(1000);
      await expect(agree).toHaveAttribute('aria-disabled', 'false');
      await context.close();
    });
  }
});

test.describe('window words (tray and prompt say it the same way)', () => {
  const o = { locale: 'en-GB', timeZone: 'Europe/London' };
  const now = T0; // Tue 24 Nov 2026, 10:00 in London
  test('relative days in the user’s time zone', () => {
    expect(windowWords('2026-11-24T18:00:00.000Z', '2026-11-24T20:00:00.000Z', now, o)).toBe('tonight 18:00-20:00');
    expect(windowWords('2026-11-24T12:00:00.000Z', '2026-11-24T13:30:00.000Z', now, o)).toBe('today 12:00-13:30');
    expect(windowWords('2026-11-25T09:00:00.000Z', '2026-11-25T11:00:00.000Z', now, o)).toBe('tomorrow 09:00-11:00');
    expect(dayWords(Date.parse('2026-11-27T09:00:00.000Z'), now, o)).toBe('on Friday');
    expect(dayWords(Date.parse('2026-12-12T09:00:00.000Z'), now, o)).toBe('on 12 Dec');
    expect(dayWords(Date.parse('2027-01-12T09:00:00.000Z'), now, o)).toBe('on 12 Jan 2027');
    // 23:30 UTC on the 24th is already the 25th in Tokyo.
    expect(dayWords(Date.parse('2026-11-24T23:30:00.000Z'), now, { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe('tomorrow');
    expect(windowWords('2026-11-24T18:00:00.000Z', '2026-11-24T20:00:00.000Z', now, { locale: 'en-US', timeZone: 'America/New_York' })).toBe('today 01:00 PM-03:00 PM');
  });
});
