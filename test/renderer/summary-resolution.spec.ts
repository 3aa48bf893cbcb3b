// The summary's "Is your problem solved?" question and the two-sided conversation (issue 20),
// in real Chromium through the fake bridge, at the shell's window size, light and dark.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { SUMMARY_SIZE } from '../../src/main/window-options.js';
import { deliver, sentOn } from './fake-bridge.js';
import { expectFocusRingVisible, expectOnScreenAndUncovered, sidewaysScroll } from './geometry-checks.js';
import { openPage, THEMES, type Theme } from './open-page.js';
import { expectNoAxeOrCspViolations } from './page-checks.js';
import { hostileSummaryView, summaryView } from './sample-views.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'summary');
const shots = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));

const conversation = summaryView({
  narration: [
    { at: '2026-11-24T09:42:00.000Z', text: 'Hello! I can see your screen now.' },
    { at: '2026-11-24T09:43:00.000Z', text: 'I have a question.', from: 'user' },
    { at: '2026-11-24T09:44:00.000Z', text: 'Sure, go ahead.' },
    { at: '2026-11-24T09:45:00.000Z', text: 'Will I lose my calendar?', from: 'user' },
  ],
});

async function show(page: Page, theme: Theme = 'light') {
  await page.setViewportSize(SUMMARY_SIZE);
  await openPage(page, baseUrl(), 'summary', theme);
  await deliver(page, 'summary:show', conversation);
  await expect(page.getByRole('heading', { name: 'Is your problem solved?' })).toBeVisible();
}

test.describe('summary: the user word on the fix', () => {
  test('sends Not yet with a rating and a comment, once, and says the technician is told at once', async ({ page }) => {
    await show(page);
    const send = page.getByRole('button', { name: 'Send answer' });
    await send.click();
    await expect(page.getByRole('status').filter({ hasText: 'Choose Yes or Not yet first.' })).toBeVisible();
    await page.getByLabel('Not yet').check();
    await page.getByRole('radio', { name: /^2 / }).check();
    await page.getByLabel('Anything to add? (optional)').fill('Shared calendars\nstill empty');
    await send.click();
    expect(await sentOn(page, 'summary:resolution')).toEqual([{ sessionId: 'ses-0001', solved: false, rating: 2, comment: 'Shared calendars\nstill empty' }]);
    await expect(page.getByText('Your technician is told at once')).toBeVisible();
    await expect(send).toBeDisabled();
    await expect(page.getByLabel('Yes')).toBeDisabled();
  });

  test('Yes alone is enough: no rating, no comment', async ({ page }) => {
    await show(page);
    await page.getByLabel('Yes').check();
    await page.getByRole('button', { name: 'Send answer' }).click();
    expect(await sentOn(page, 'summary:resolution')).toEqual([{ sessionId: 'ses-0001', solved: true }]);
  });

  test('a hostile comment is refused on the page with a reason, and nothing is sent', async ({ page }) => {
    await show(page);
    await page.getByLabel('Yes').check();
    for (const text of ['fine\u202Etxt.exe', 'zero\u200Bwidth', 'bell\u0007']) {
      await page.getByLabel('Anything to add? (optional)').fill(text);
      await page.getByRole('button', { name: 'Send answer' }).click();
      await expect(page.getByRole('status').filter({ hasText: 'cannot be sent' })).toBeVisible();
    }
    expect(await sentOn(page, 'summary:resolution')).toEqual([]);
  });

  test('the conversation shows both sides, each line with who wrote it, in the page and in Copy details', async ({ page }) => {
    await show(page);
    await expect(page.getByRole('heading', { name: 'What you and your technician said' })).toBeVisible();
    await expect(page.locator('.narration-log li .who')).toHaveText(['Alice Moreau', 'You', 'Alice Moreau', 'You']);
    await page.getByRole('button', { name: 'Copy details' }).click();
    const [text] = (await sentOn(page, 'summary:copy')) as string[];
    expect(text).toContain('You: Will I lose my calendar?');
  });

  for (const theme of THEMES) {
    test(`at the shell window size the question and its controls are usable, no sideways scroll, no axe violations (${theme})`, async ({ page }) => {
      await show(page, theme);
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      for (const c of [page.getByLabel('Yes'), page.getByLabel('Not yet'), page.getByRole('radio', { name: /^5 / }), page.getByRole('button', { name: 'Send answer' })]) {
        await c.scrollIntoViewIfNeeded();
        await expectOnScreenAndUncovered(c, `resolution control ${await c.textContent()}`);
      }
      await page.getByLabel('Not yet').check();
      await page.getByRole('radio', { name: /^4 / }).check();
      await page.getByLabel('Anything to add? (optional)').fill('Outlook works, shared calendars still empty.');
      await expectNoAxeOrCspViolations(page);
      mkdirSync(shots, { recursive: true });
      await page.getByRole('heading', { name: 'Is your problem solved?' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${shots}/summary-resolution-${theme}.png` });
    });
  }

  for (const theme of THEMES) {
    test(`at 200 % zoom in the same window the question and its controls are reachable, uncovered, focus rings clear (${theme})`, async ({ browser }) => {
      const context = await browser.newContext({ viewport: { width: SUMMARY_SIZE.width / 2, height: SUMMARY_SIZE.height / 2 }, deviceScaleFactor: 2 });
      const page = await context.newPage();
      await openPage(page, baseUrl(), 'summary', theme);
      await deliver(page, 'summary:show', conversation);
      await expect(page.getByRole('heading', { name: 'Is your problem solved?' })).toBeVisible();
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      await page.keyboard.press('Shift');
      const controls = [page.getByLabel('Yes'), page.getByLabel('Not yet'), page.getByRole('radio', { name: /^1 / }), page.getByRole('radio', { name: /^5 / }), page.getByLabel('Anything to add? (optional)'), page.getByRole('button', { name: 'Send answer' })];
      for (const c of controls) {
        await c.evaluate((el) => el.scrollIntoView({ block: 'center' }));
        await expectOnScreenAndUncovered(c, `resolution control at 200 % ${await c.textContent()}`);
        await expectFocusRingVisible(page, c, `resolution control at 200 % ${await c.textContent()}`);
      }
      await page.getByRole('heading', { name: 'Is your problem solved?' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${shots}/summary-resolution-zoom200-${theme}.png` });
      await context.close();
    });
  }

  test('hostile names and both sides of the conversation stay text, never widen the page, and leave the question usable', async ({ page }) => {
    await page.setViewportSize(SUMMARY_SIZE);
    await openPage(page, baseUrl(), 'summary');
    await deliver(page, 'summary:show', { ...hostileSummaryView(), narration: [...hostileSummaryView().narration, { at: '2026-11-24T09:45:00.000Z', text: `${'W'.repeat(400)} \u05e9\u05e8\u05d4 913`, from: 'user' as const }] });
    await expect(page.getByRole('heading', { name: 'Is your problem solved?' })).toBeVisible();
    expect(await page.locator('img, script:not([src]), b').count()).toBe(0);
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
    for (const c of [page.getByLabel('Yes'), page.getByLabel('Not yet'), page.getByRole('button', { name: 'Send answer' })]) {
      await c.scrollIntoViewIfNeeded();
      await expectOnScreenAndUncovered(c, `resolution control beside hostile text ${await c.textContent()}`);
    }
    await page.getByLabel('Yes').check();
    await page.getByRole('button', { name: 'Send answer' }).click();
    expect(await sentOn(page, 'summary:resolution')).toEqual([{ sessionId: 'ses-0001', solved: true }]);
  });
});
