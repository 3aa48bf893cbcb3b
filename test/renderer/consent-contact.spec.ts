// How the technician says they reached the user, in the consent dialog: a sentence in
// words next to who asks, IT's rule when the contact is required, and the note among
// the technician's own words (never styled as a verified fact).
import { expect, test } from '@playwright/test';
import { CONSENT_SIZE } from '../../src/main/window-options.js';
import { deliver } from './fake-bridge.js';
import { expectOnScreenAndUncovered } from './geometry-checks.js';
import { openPage, saveScreenshot, THEMES } from './open-page.js';
import { consentView, T0 } from './sample-views.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'consent');

/** The page's today (its clock stands at T0) at 10:32 local time, as the CLI's --contact-at 10:32 sends it. */
function todayAt(hours: number, minutes: number): string {
  const d = new Date(T0);
  d.setHours(hours, minutes, 0, 0);
  return d.toISOString();
}

test.describe('consent dialog: how the technician reached the user', () => {
  test('says it in words, with the time, and keeps the note with the technician\'s words', async ({ page }) => {
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', consentView({ contact: { channel: 'phone', at: todayAt(10, 32), note: 'called ext. 4411' } }));
    const said = page.locator('.contact-said');
    // 10:32 or 10:32 AM: the user's own locale decides.
    await expect(said).toHaveText(/^Alice Moreau called you about this at 10:32( AM)?\.$/);
    // The name sits in its own bidi isolate like every network string.
    await expect(said.locator('bdi')).toHaveText('Alice Moreau');
    await expect(page.locator('.contact-rule')).toHaveCount(0);
    await expect(page.locator('.technician-words .contact-note')).toHaveText('How they say they reached you: called ext. 4411');
  });

  test('names another day, and each channel in its own words', async ({ page }) => {
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', consentView({ contact: { channel: 'teams', at: '2026-01-05T09:15:00.000Z' } }));
    await expect(page.locator('.contact-said')).toHaveText(/^Alice Moreau messaged you on Teams about this on .+ at \d{2}:\d{2}( AM)?\.$/);
    await expect(page.locator('.contact-note')).toHaveCount(0);
  });

  test('says nothing about contact when the technician gave none', async ({ page }) => {
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', consentView());
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expect(page.locator('.contact')).toHaveCount(0);
  });

  for (const theme of THEMES) {
    test(`where IT requires the contact, asks the user to accept only while talking to the technician (${theme})`, async ({ page }) => {
      await page.setViewportSize(CONSENT_SIZE);
      await openPage(page, baseUrl(), 'consent', theme);
      await deliver(page, 'consent:show', consentView({ contact: { channel: 'phone', at: todayAt(10, 32) }, contactRequired: true }));
      const rule = page.locator('.contact-rule');
      await expect(rule).toHaveText('Only accept if you are talking to Alice Moreau now.');
      await expectOnScreenAndUncovered(rule, 'the contact rule');
      await saveScreenshot(page, `consent-contact-required-${theme}`);
    });
  }
});
