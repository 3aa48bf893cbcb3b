// The banner at the exact sizes the shell opens (window-options.ts): End session, Details and every revoke
// button are on screen and uncovered with 4 scopes and a 40-character name, compact and expanded, light and dark.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { bannerHeight } from '../../src/main/banner-size.js';
import { BANNER_HEIGHTS, BANNER_WIDTH } from '../../src/main/window-options.js';
import { SCOPES } from '../../src/protocol/scopes.js';
import type { BannerView } from '../../src/shared/view-models.js';
import { deliver, sentOn } from './fake-bridge.js';
import { expectFocusRingVisible, expectOnScreenAndUncovered, sidewaysScroll, verticalScroll } from './geometry-checks.js';
import { openPage, THEMES } from './open-page.js';
import { bannerView, hostileBannerView } from './sample-views.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'banner');
const shots = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));

const NAME_40 = 'Wilhelmina Maximiliane Oyelaran-Ferreira';
const views: [string, BannerView][] = [
  ['sample', bannerView()],
  ['4scopes-longname', bannerView({ technician: { id: 'w', name: NAME_40, group: 'helpdesk', org: 'Robinson Park IT' }, granted: [...SCOPES], ticket: { id: 'INC0012345678901234' }, latestNarration: { at: '2026-11-24T09:59:40.000Z', text: 'Now I am opening the registry editor to check the Outlook profile keys. '.repeat(12).trim() } })],
  // Hostile names, narration and the user's own last message (issue 20): text, isolated, never widening the bar.
  ['hostile', hostileBannerView()],
];

async function show(page: Page, view: BannerView, theme: (typeof THEMES)[number]) {
  await page.setViewportSize({ width: BANNER_WIDTH, height: BANNER_HEIGHTS.compact });
  await openPage(page, baseUrl(), 'banner', theme);
  await deliver(page, 'banner:update', view);
  await expect(page.getByRole('button', { name: 'End session' })).toBeVisible();
}

async function expectControlsUsable(page: Page, label: string) {
  expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
  const controls = [page.getByRole('button', { name: 'End session' }), page.getByRole('button', { name: /details/i }), ...(await page.locator('.revoke').all())];
  for (const c of controls) await expectOnScreenAndUncovered(c, `${label}: ${await c.getAttribute('aria-label') ?? await c.textContent()}`);
  await page.keyboard.press('Shift');
  for (const c of controls) await expectFocusRingVisible(page, c, `${label}: ${await c.getAttribute('aria-label') ?? await c.textContent()}`);
  await expectOnScreenAndUncovered(page.getByRole('timer'), `${label}: time left`);
  await expectOnScreenAndUncovered(page.locator('.who'), `${label}: who`);
}

test.describe('banner geometry at the shell window size', () => {
  for (const theme of THEMES) {
    for (const [name, view] of views) {
      test(`compact and expanded keep End and every control on screen: ${name}, ${theme}`, async ({ page }) => {
        await show(page, view, theme);
        mkdirSync(shots, { recursive: true });
        expect(await verticalScroll(page)).toBeLessThanOrEqual(0);
        await expectControlsUsable(page, 'compact');
        await page.screenshot({ path: `${shots}/banner-${name}-compact-${theme}.png` });

        await page.getByRole('button', { name: 'Details' }).click();
        await page.setViewportSize({ width: BANNER_WIDTH, height: BANNER_HEIGHTS.expanded });
        expect(await verticalScroll(page)).toBeLessThanOrEqual(0);
        await expectControlsUsable(page, 'expanded');
        // The details scroll inside themselves; the latest narration is first and reachable.
        const latest = page.getByRole('heading', { name: 'Latest from your technician' });
        await latest.scrollIntoViewIfNeeded();
        await expectOnScreenAndUncovered(latest, 'latest narration heading');
        await expectOnScreenAndUncovered(page.getByRole('button', { name: 'End session' }), 'End with details scrolled');
        await page.screenshot({ path: `${shots}/banner-${name}-expanded-${theme}.png` });
        // The reply box (issue 20) scrolls into view inside the details; End stays where it was.
        const box = page.getByRole('textbox', { name: /^Message to / });
        await box.scrollIntoViewIfNeeded();
        await box.fill('It still says my profile cannot be loaded.');
        for (const c of [box, page.getByRole('button', { name: 'Send' }), page.getByRole('button', { name: 'I have a question' })]) await expectOnScreenAndUncovered(c, `reply: ${await c.textContent()}`);
        await expectOnScreenAndUncovered(page.getByRole('button', { name: 'End session' }), 'End with the reply box in view');
        expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
        await page.screenshot({ path: `${shots}/banner-${name}-reply-${theme}.png` });
      });
    }
  }

  for (const theme of THEMES) {
    test(`at 200 % zoom, expanded, the reply box, Send and the quick question are reachable and End stays on screen (${theme})`, async ({ browser }) => {
      const workArea = { x: 0, y: 0, width: 1920, height: 1080 };
      const context = await browser.newContext({ viewport: { width: BANNER_WIDTH / 2, height: BANNER_HEIGHTS.expanded / 2 }, deviceScaleFactor: 2 });
      const page = await context.newPage();
      await openPage(page, baseUrl(), 'banner', theme);
      await deliver(page, 'banner:update', views[1]![1]);
      await page.getByRole('button', { name: 'Details' }).click();
      // Sized as the shell sizes the expanded bar at 200 % (banner-size.ts): device pixels, half of them in CSS pixels.
      await expect.poll(async () => (await sentOn(page, 'banner:content-height')).length, { timeout: 3000 }).toBeGreaterThan(0);
      const reported = (await sentOn(page, 'banner:content-height')).at(-1) as number;
      await page.setViewportSize({ width: BANNER_WIDTH / 2, height: Math.floor(bannerHeight('expanded', reported, 2, workArea) / 2) });
      expect(await verticalScroll(page)).toBeLessThanOrEqual(0);
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      const box = page.getByRole('textbox', { name: /^Message to / });
      await box.scrollIntoViewIfNeeded();
      await box.fill('It still says my profile cannot be loaded.');
      await page.keyboard.press('Shift');
      for (const c of [box, page.getByRole('button', { name: 'Send' }), page.getByRole('button', { name: 'I have a question' })]) {
        await c.scrollIntoViewIfNeeded();
        await expectOnScreenAndUncovered(c, `reply at 200 %: ${await c.textContent()}`);
        await expectFocusRingVisible(page, c, `reply at 200 %: ${await c.textContent()}`);
      }
      await expectOnScreenAndUncovered(page.getByRole('button', { name: 'End session' }), 'End with the reply box in view at 200 %');
      await page.screenshot({ path: `${shots}/banner-reply-zoom200-${theme}.png` });
      await context.close();
    });
  }

  test('at 200 % zoom the bar reports the height it needs and End stays on screen in it', async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: BANNER_WIDTH / 2, height: BANNER_HEIGHTS.compact }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await openPage(page, baseUrl(), 'banner');
    await deliver(page, 'banner:update', views[1]![1]);
    // The height the page reports over the bridge, sized as the shell sizes the window (banner-size.ts, within limits).
    const needed = await page.evaluate(() => Math.ceil(document.querySelector('.banner-body')!.getBoundingClientRect().height));
    await expect.poll(async () => (await sentOn(page, 'banner:content-height')).at(-1), { timeout: 3000 }).toBeGreaterThanOrEqual(needed);
    const reported = (await sentOn(page, 'banner:content-height')).at(-1) as number;
    const workArea = { x: 0, y: 0, width: 1920, height: 1080 };
    await page.setViewportSize({ width: BANNER_WIDTH / 2, height: bannerHeight('compact', reported, 1, workArea) });
    await expectOnScreenAndUncovered(page.getByRole('button', { name: 'End session' }), 'End at 200 %');
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${shots}/banner-zoom200-light.png` });
    await context.close();
  });
});
