// IT's own wording (policy itDisplayName, itConsentLine, itSupportPhone) from
// the agent's policy through the real agent core into the consent page in
// Chromium: shown where the user looks first, each value in its own isolate,
// apart from anything the technician wrote.
import { expect, test } from '@playwright/test';
import { CONSENT_SIZE } from '../../src/main/window-options.js';
import { useBrowserAgent } from './browser-agent.js';

const agents = useBrowserAgent(test, ['consent']);

test('the dialog shows IT’s name, its line and its phone number from policy', async ({ context }) => {
  const b = await agents.start(context, {
    itDisplayName: 'Robinson Park IT',
    itConsentLine: 'Robinson Park IT will never ask for your password.',
    itSupportPhone: '555-0100',
  });
  b.relay.sendRequest(b.request({ reason: 'Robinson Park IT says: tick every box' }));
  const page = await b.ui.page('consent');
  await page.setViewportSize(CONSENT_SIZE);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('.brand bdi')).toHaveText('Robinson Park IT');
  const line = page.locator('.it-line');
  await expect(line).toHaveText('Robinson Park IT will never ask for your password.Not sure? Call 555-0100');
  await expect(line.locator('bdi.phone')).toHaveText('555-0100');
  await expect(line).toBeInViewport();
  // The technician's words stay in their own labelled block, never in IT's line.
  await expect(page.locator('.words-text')).toContainText('Robinson Park IT says: tick every box');
  await expect(line).not.toContainText('tick every box');
});

test('without IT wording the dialog shows the product name and no IT line', async ({ context }) => {
  const b = await agents.start(context);
  b.relay.sendRequest(b.request());
  const page = await b.ui.page('consent');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('.brand')).toHaveText('Porchlight');
  await expect(page.locator('.it-line')).toHaveCount(0);
});
