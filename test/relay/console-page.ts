// The console page as the Playwright specs drive it: sign in, check for axe
// violations, screenshot light and dark into test-results/console.
import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CONSOLE_SHOTS = fileURLToPath(new URL('../../test-results/console', import.meta.url));

/** Sign in with Enter in the token field; `who` is what the header says once the relay welcomed it. */
export async function signInConsole(page: Page, base: string, token: string, who: string | RegExp): Promise<void> {
  await page.goto(`${base}/`);
  // The page enables Sign in once its script has bound the form: Enter before that does nothing.
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await page.getByLabel('API token').fill(token);
  await page.getByLabel('API token').press('Enter');
  await expect(page.locator('#who')).toHaveText(who);
}

export async function expectNoAxeViolations(page: Page): Promise<void> {
  const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  expect(axe.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target.join(' ')) }))).toEqual([]);
}

/** The viewport only (what the technician sees without scrolling), light then dark. */
export async function shotBothThemes(page: Page, name: string): Promise<void> {
  mkdirSync(CONSOLE_SHOTS, { recursive: true });
  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.screenshot({ path: join(CONSOLE_SHOTS, `${name}-${theme}.png`), animations: 'disabled' });
  }
}
