// The session banner in real Chromium, fed through a fake bridge.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { deliver, sentOn } from './fake-bridge.js';
import { openPage, saveScreenshot, THEMES } from './open-page.js';
import type { Theme } from './open-page.js';
import { bannerView, hostileBannerView } from './sample-views.js';
import { expectInertMarkup, expectNoAxeOrCspViolations, recordDialogs, sidewaysOverflow } from './page-checks.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'banner');

async function showBanner(page: Page, view: unknown = bannerView(), theme: Theme = 'light') {
  await page.setViewportSize({ width: 960, height: 64 });
  await openPage(page, baseUrl(), 'banner', theme);
  await deliver(page, 'banner:update', view);
}

const actions = (page: Page) => sentOn(page, 'banner:action');

test.describe('session banner', () => {
  test('asks for its session, then shows who, the ticket, granted access, time left and the latest narration', async ({ page }) => {
    await page.setViewportSize({ width: 960, height: 64 });
    await openPage(page, baseUrl(), 'banner');
    expect(await sentOn(page, 'banner:ready')).toEqual([undefined]);
    await deliver(page, 'banner:update', bannerView());
    await expect(page.getByText('Alice Moreau is connected')).toBeVisible();
    await expect(page.getByText('Ticket INC0012345')).toBeVisible();
    await expect(page.getByRole('list', { name: 'Access' }).getByRole('listitem')).toHaveText(['Screen×', 'Mouse and keyboard×', 'Files×']);
    await expect(page.getByRole('timer')).toHaveText('14:30 left');
    await expect(page.locator('.bar .narration')).toHaveText('Opening Outlook in safe mode to rule out the add-ins.');
    await expect(page.getByRole('button', { name: 'End session' })).toBeVisible();
    await page.clock.runFor(30_000);
    await expect(page.getByRole('timer')).toHaveText('14:00 left');
  });

  test('says what the screen channel really does: sees the screen once a viewer is connected, controls it once input passes', async ({ page }) => {
    await showBanner(page, { ...bannerView(), screen: { open: true, input: false } });
    await expect(page.getByText('Alice Moreau can see your screen')).toBeVisible();
    await deliver(page, 'banner:update', { ...bannerView(), screen: { open: true, input: true } });
    await expect(page.getByText('Alice Moreau can control your mouse and keyboard')).toBeVisible();
    await deliver(page, 'banner:update', { ...bannerView(), screen: { open: false, input: false } });
    await expect(page.getByText('Alice Moreau is connected')).toBeVisible();
  });

  test('revoking a scope sends exactly that revoke for this session', async ({ page }) => {
    await showBanner(page);
    await page.getByRole('button', { name: 'Revoke access: Use your mouse and keyboard' }).click();
    expect(await actions(page)).toEqual([{ kind: 'revoke-scope', sessionId: 'ses-0001', scope: 'control' }]);
    // Until main confirms, the same revoke cannot be sent twice.
    await expect(page.getByRole('button', { name: 'Revoke access: Use your mouse and keyboard' })).toBeDisabled();
    await deliver(page, 'banner:update', bannerView({ granted: ['view', 'file-transfer'] }));
    await expect(page.getByRole('list', { name: 'Access' }).getByRole('listitem')).toHaveText(['Screen×', 'Files×']);
  });

  test('End session sends end-session once, in one click', async ({ page }) => {
    await showBanner(page);
    await page.getByRole('button', { name: 'End session' }).click();
    expect(await actions(page)).toEqual([{ kind: 'end-session', sessionId: 'ses-0001' }]);
    await expect(page.getByRole('button', { name: 'Ending the session…' })).toBeDisabled();
  });

  test('works from the keyboard: Tab reaches revoke, Details and End', async ({ page }) => {
    await showBanner(page);
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Revoke access: See your screen' })).toBeFocused();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Details' })).toBeFocused();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'End session' })).toBeFocused();
    await page.keyboard.press('Enter');
    expect(await actions(page)).toEqual([{ kind: 'end-session', sessionId: 'ses-0001' }]);
  });

  test('expands and collapses, asking main to resize the window', async ({ page }) => {
    await showBanner(page);
    const toggle = page.getByRole('button', { name: 'Details' });
    await toggle.click();
    // One label in both states (the bar has no room for a longer one); the state is aria-expanded and the chevron.
    await expect(toggle).toHaveAttribute('aria-expanded', 'true');
    await expect(page.getByRole('region', { name: 'Details' })).toContainText('Latest from your technician');
    await toggle.click();
    await expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await expect(page.getByRole('region', { name: 'Details' })).toBeHidden();
    expect(await sentOn(page, 'banner:resize')).toEqual(['expanded', 'compact']);
  });

  test('has no dismiss control: the only way out is ending the session', async ({ page }) => {
    await showBanner(page);
    const names = await page.getByRole('button').evaluateAll((buttons) => buttons.map((b) => b.getAttribute('aria-label') ?? b.textContent));
    expect(names.filter((n) => !/^Revoke access: /.test(n ?? ''))).toEqual(['Details', 'End session']);
    await page.keyboard.press('Escape');
    expect(await actions(page)).toEqual([]);
  });

  test('a malformed update changes nothing', async ({ page }) => {
    await showBanner(page);
    await deliver(page, 'banner:update', { ...bannerView(), granted: ['view', 'root'] });
    await deliver(page, 'banner:update', '<img src=x>');
    await expect(page.getByText('Alice Moreau is connected')).toBeVisible();
    await expect(page.getByRole('list', { name: 'Access' }).getByRole('listitem')).toHaveCount(3);
  });

  test('markup in every field renders as inert text', async ({ page }) => {
    const dialogs = recordDialogs(page);
    await showBanner(page, hostileBannerView());
    await page.getByRole('button', { name: 'Details' }).click();
    await expectInertMarkup(page, ['name', 'org', 'approver', 'reference', 'narration', 'mine'], dialogs);
  });

  for (const theme of THEMES) {
    test(`has no axe violations, compact and expanded, and is screenshotted (${theme})`, async ({ page }) => {
      await showBanner(page, bannerView(), theme);
      await saveScreenshot(page, `banner-${theme}`);
      await page.getByRole('button', { name: 'Details' }).click();
      await page.setViewportSize({ width: 960, height: 300 });
      await saveScreenshot(page, `banner-expanded-${theme}`);
      await expectNoAxeOrCspViolations(page);
    });
  }

  test('stays usable at 200 % zoom: the bar wraps and End stays visible', async ({ page }) => {
    await page.setViewportSize({ width: 480, height: 200 });
    await openPage(page, baseUrl(), 'banner');
    await deliver(page, 'banner:update', bannerView());
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    await expect(page.getByRole('button', { name: 'End session' })).toBeInViewport();
    await saveScreenshot(page, 'banner-zoom200-light');
  });
});
