// Assertions every page spec makes the same way: hostile markup stays text,
// no accessibility or CSP violations, nothing scrolls sideways.
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import { axeViolations, cspViolations } from './open-page.js';
import { HOSTILE } from './sample-views.js';

/** Collects (and dismisses) any alert/confirm/prompt the page opens. Call before loading the page. */
export function recordDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return dialogs;
}

/** Each `<field> HOSTILE` value shows as literal text; no element was created from it and no script ran. */
export async function expectInertMarkup(page: Page, fields: readonly string[], dialogs: readonly string[]): Promise<void> {
  expect(await page.locator('#app img, #app script, #app b').count()).toBe(0);
  const text = await page.locator('#app').textContent();
  for (const field of fields) expect(text).toContain(`${field} ${HOSTILE}`);
  expect(await page.evaluate(() => (globalThis as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
}

export async function expectNoAxeOrCspViolations(page: Page): Promise<void> {
  expect(await axeViolations(page)).toEqual([]);
  expect(await cspViolations(page)).toEqual([]);
}

/** Pixels the page is wider than its viewport (0 when everything wraps). */
export function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });
}
