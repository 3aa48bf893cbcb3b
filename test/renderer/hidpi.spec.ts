// HiDPI: every page is drawn from text, CSS and vector shapes only, so it stays
// sharp at any device scale factor. A bitmap anywhere (img, CSS url(), canvas)
// would blur on a 2x display; this finds one if it creeps in.
import { expect, test } from '@playwright/test';
import type { IpcChannel, IpcWindow } from '../../src/shared/ipc-contract.js';
import { deliver } from './fake-bridge.js';
import { openPage, saveScreenshot } from './open-page.js';
import { settingsView } from './sample-settings.js';
import { bannerView, consentView, summaryView } from './sample-views.js';
import { serveDuringSpec } from './static-server.js';

const PAGES: { window: IpcWindow; channel: IpcChannel; view: () => unknown }[] = [
  { window: 'consent', channel: 'consent:show', view: () => consentView() },
  { window: 'banner', channel: 'banner:update', view: () => bannerView() },
  { window: 'summary', channel: 'summary:show', view: () => summaryView() },
  { window: 'settings', channel: 'settings:show', view: () => settingsView() },
];

for (const p of PAGES) {
  test.describe(`${p.window} page at device scale factor 2`, () => {
    const baseUrl = serveDuringSpec(test, p.window);
    test.use({ deviceScaleFactor: 2 });

    test('renders at full resolution with no bitmap images', async ({ page }) => {
      await openPage(page, baseUrl(), p.window);
      await deliver(page, p.channel, p.view());
      await expect(page.locator('main')).toBeVisible();
      expect(await page.evaluate(() => globalThis.devicePixelRatio)).toBe(2);
      const bitmaps = await page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ tagName: string; getAttribute(n: string): string | null }> } }).document;
        const found: string[] = [];
        for (const el of Array.from(doc.querySelectorAll('img, canvas, picture, image'))) found.push(`${el.tagName} ${el.getAttribute('src') ?? ''}`);
        const style = (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundImage: string; listStyleImage: string; content: string } }).getComputedStyle;
        for (const el of Array.from(doc.querySelectorAll('*'))) {
          const s = style(el);
          for (const v of [s.backgroundImage, s.listStyleImage, s.content]) if (/url\(/.test(v) && !/\.svg|data:image\/svg/.test(v)) found.push(`${el.tagName} ${v}`);
        }
        return found;
      });
      expect(bitmaps).toEqual([]);
      // The screenshot is taken in device pixels: twice the CSS size.
      const shot = await page.screenshot();
      const width = shot.readUInt32BE(16);
      expect(width).toBe(page.viewportSize()!.width * 2);
      await saveScreenshot(page, `${p.window}-hidpi-light`);
    });
  });
}
