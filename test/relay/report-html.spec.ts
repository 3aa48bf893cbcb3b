// The HTML report in Debian Chromium: opens from a file with no console
// errors (a CSP violation would be one), fetches nothing, styles itself
// (the style hash matches), and is screenshotted in light and dark.
import { expect, test } from '@playwright/test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { computeMonthlyReport } from '../../src/relay/report/compute.js';
import { monthWindow } from '../../src/relay/report/month-window.js';
import { renderHtml } from '../../src/relay/report/render-html.js';
import { SqliteStorage } from '../../src/relay/storage/sqlite-storage.js';
import { AuditScript, TECHS } from './audit-script.js';
import { scriptNovember } from './scripted-month.js';

const outDir = join(process.cwd(), 'test-results');
const shots = join(outDir, 'screenshots');

async function writeReport(month: string, name: string): Promise<string> {
  const storage = new SqliteStorage(':memory:');
  await scriptNovember(storage);
  TECHS.mallory = { id: 'mallory', name: '<script>alert(1)</script> Mallory', group: 'helpdesk' };
  await new AuditScript(storage, 'm-').session({ at: '2026-11-21T10:00:00.000Z', ticket: 'INC-666', device: 'LAPTOP-6', tech: 'mallory', scopes: ['view'], decideAfter: 5, outcome: 'accepted' });
  delete TECHS.mallory;
  const window = monthWindow(month);
  const html = renderHtml(computeMonthlyReport(await storage.queryAudit({ to: new Date(window.endMs).toISOString() }), window, Date.parse('2026-12-02T08:00:00.000Z')));
  await storage.close();
  mkdirSync(join(outDir, 'report'), { recursive: true });
  const file = join(outDir, 'report', name);
  writeFileSync(file, html);
  return pathToFileURL(file).href;
}

for (const scheme of ['light', 'dark'] as const) {
  test(`the HTML report renders in ${scheme} with no console errors and no requests`, async ({ page }) => {
    const url = await writeReport('2026-11', `report-${scheme}.html`);
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => r.url() !== url && requests.push(r.url()));
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(url);

    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Remote support report: November 2026');
    await expect(page.locator('.kpi').first()).toContainText('16');
    await expect(page.getByRole('img', { name: 'Requests per day, November 2026' })).toBeVisible();
    // Hostile text is shown as text: no script element came from the database.
    await expect(page.getByRole('cell', { name: '<script>alert(1)</script> Mallory (mallory)' })).toBeVisible();
    expect(await page.locator('script').count()).toBe(0);
    // The style block ran under the CSP (its hash matched): the theme colours apply.
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe(scheme === 'light' ? 'rgb(246, 246, 243)' : 'rgb(20, 21, 24)');

    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, `report-${scheme}.png`), fullPage: true });
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);
  });
}

test('a month with no sessions renders its empty states', async ({ page }) => {
  const url = await writeReport('2027-02', 'report-empty.html');
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  await page.goto(url);
  await expect(page.getByText('No requests this month.')).toBeVisible();
  await expect(page.getByText('No file transfers.')).toBeVisible();
  await expect(page.getByText('No requests in this month.')).toHaveCount(2);
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: join(shots, 'report-empty.png'), fullPage: true });
  expect(problems).toEqual([]);
});
