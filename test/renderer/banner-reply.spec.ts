// The banner's reply box and quick question (issue 20) in real Chromium, fed through a fake bridge.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { deliver, sentOn } from './fake-bridge.js';
import { openPage } from './open-page.js';
import { bannerView } from './sample-views.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'banner');
const actions = (page: Page) => sentOn(page, 'banner:action');

async function expanded(page: Page) {
  await page.setViewportSize({ width: 960, height: 360 });
  await openPage(page, baseUrl(), 'banner');
  await deliver(page, 'banner:update', bannerView());
  await page.getByRole('button', { name: 'Details' }).click();
}

test.describe('banner reply box', () => {
  test('sends what the user typed (Send or Enter), then says it was sent once the core confirms it', async ({ page }) => {
    await expanded(page);
    const box = page.getByRole('textbox', { name: 'Message to Alice Moreau' });
    await box.fill('Outlook shows a profile error');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect(page.getByRole('status')).toHaveText('Sending…');
    await expect(box).toHaveValue('');
    await box.fill('first line');
    await box.press('Shift+Enter');
    await box.pressSequentially('second line');
    await box.press('Enter');
    expect(await actions(page)).toEqual([
      { kind: 'user-message', sessionId: 'ses-0001', text: 'Outlook shows a profile error' },
      { kind: 'user-message', sessionId: 'ses-0001', text: 'first line\nsecond line' },
    ]);
    await deliver(page, 'banner:update', { ...bannerView(), latestUserMessage: { at: '2026-11-24T10:00:05.000Z', text: 'first line\nsecond line' } });
    await expect(page.getByRole('status')).toContainText('Sent at');
    await expect(page.locator('.reply-mine')).toContainText('second line');
  });

  test('the quick action sends a question without typing', async ({ page }) => {
    await expanded(page);
    await page.getByRole('button', { name: 'I have a question' }).click();
    expect(await actions(page)).toEqual([{ kind: 'quick-question', sessionId: 'ses-0001' }]);
  });

  test('hostile or empty text is refused on the page with a reason, and nothing is sent', async ({ page }) => {
    await expanded(page);
    const box = page.getByRole('textbox', { name: 'Message to Alice Moreau' });
    for (const text of ['invoice\u202Etxt.exe', 'zero\u200Bwidth', '   ']) {
      await box.fill(text);
      await page.getByRole('button', { name: 'Send' }).click();
      await expect(page.getByRole('status')).toContainText('cannot be sent');
    }
    expect(await actions(page)).toEqual([]);
  });

  test('while the core has paused replies, Send and the quick action are disabled and the page says until when', async ({ page }) => {
    await expanded(page);
    await deliver(page, 'banner:update', { ...bannerView(), replyPausedUntil: '2026-11-24T10:00:30.000Z' });
    await expect(page.getByRole('button', { name: 'Send' })).toBeDisabled();
    await expect(page.getByRole('button', { name: 'I have a question' })).toBeDisabled();
    await expect(page.getByRole('status')).toContainText('You can send again at');
    await deliver(page, 'banner:update', bannerView());
    await expect(page.getByRole('button', { name: 'Send' })).toBeEnabled();
  });

  test('typed text and focus survive a banner refresh (new narration)', async ({ page }) => {
    await expanded(page);
    const box = page.getByRole('textbox', { name: 'Message to Alice Moreau' });
    await box.fill('half a thou');
    await deliver(page, 'banner:update', { ...bannerView(), latestNarration: { at: '2026-11-24T10:00:01.000Z', text: 'Now checking the add-ins.' } });
    await expect(box).toBeFocused();
    await expect(box).toHaveValue('half a thou');
  });
});
