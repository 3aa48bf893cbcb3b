// Opens one built renderer page the way the Electron shell will: fake bridge
// installed before the page's scripts, page clock under test control.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { expect } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { IpcWindow } from '../../src/shared/ipc-contract.js';
import { installFakeBridge } from './fake-bridge.js';
import { T0 } from './sample-views.js';

export const THEMES = ['light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

export const screenshotDir = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));

export async function openPage(page: Page, baseUrl: string, window: IpcWindow, theme: Theme = 'light'): Promise<void> {
  await page.emulateMedia({ colorScheme: theme });
  // Time stands still at T0 until the test moves it (runFor / fastForward).
  await page.clock.install({ time: T0 - 60_000 });
  await page.clock.pauseAt(T0);
  await installFakeBridge(page, window);
  await page.addInitScript(() => {
    const seen: string[] = [];
    Object.defineProperty(globalThis, '__cspViolations', { value: seen });
    const target = globalThis as unknown as { addEventListener(type: string, fn: (e: { violatedDirective: string; blockedURI: string }) => void): void };
    target.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${baseUrl}/${window}/index.html`, { waitUntil: 'load' });
  expect(errors).toEqual([]);
}

/** Content-Security-Policy violations the page reported so far (expected none from our own code). */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (globalThis as unknown as { __cspViolations: string[] }).__cspViolations);
}

/** axe-core with the WCAG rule sets; returns the violations (expected to be none). */
export async function axeViolations(page: Page): Promise<{ id: string; help: string; nodes: string[] }[]> {
  // axe schedules its own timers: let the page clock run.
  await page.clock.resume();
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Full-page screenshot; the viewport first grows to the content so sticky parts sit where they naturally would. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document.documentElement.scrollHeight);
  if (viewport && height > viewport.height) await page.setViewportSize({ width: viewport.width, height });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true, animations: 'disabled' });
}
