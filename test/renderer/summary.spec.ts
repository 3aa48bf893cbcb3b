// The end-of-session summary in real Chromium, fed through a fake bridge.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { deliver, sentOn } from './fake-bridge.js';
import { openPage, saveScreenshot, THEMES } from './open-page.js';
import type { Theme } from './open-page.js';
import { hostileSummaryView, summaryView, summaryWithNotes } from './sample-views.js';
import { SUMMARY_SIZE } from '../../src/main/window-options.js';
import { expectInertMarkup, expectNoAxeOrCspViolations, recordDialogs, sidewaysOverflow } from './page-checks.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'summary');

async function showSummary(page: Page, view: unknown = summaryView(), theme: Theme = 'light') {
  await page.setViewportSize({ width: 640, height: 900 });
  await openPage(page, baseUrl(), 'summary', theme);
  await deliver(page, 'summary:show', view);
}

test.describe('session summary', () => {
  test('asks for its summary, then shows technician, ticket, duration, access, files, narration and outcome', async ({ page }) => {
    await page.setViewportSize({ width: 640, height: 900 });
    await openPage(page, baseUrl(), 'summary');
    expect(await sentOn(page, 'summary:ready')).toEqual([undefined]);
    await deliver(page, 'summary:show', summaryView());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Support session ended');
    await expect(page.getByText('Alice Moreau (helpdesk · Robinson Park IT)')).toBeVisible();
    await expect(page.getByText('INC0012345')).toBeVisible();
    await expect(page.getByText('18 minutes 42 seconds')).toBeVisible();
    await expect(page.getByText('Some requested access allowed')).toBeVisible();
    await expect(page.getByText('The technician', { exact: true })).toBeVisible();
    const access = page.getByRole('table', { name: 'Access' });
    await expect(access.getByRole('row')).toHaveText(['TypeGrantedUsed', 'See your screenYesYes', 'Use your mouse and keyboardYesYes', 'Transfer filesYesYes']);
    const files = page.getByRole('table', { name: 'Files transferred' });
    await expect(files.getByRole('row')).toHaveText([
      'NameSizeDirectionStatus',
      'outlook-diagnostics.zip2.4 MBFrom this computerTransferred',
    ]);
    // A blocked file was never transferred: it has its own table.
    await expect(page.getByRole('table', { name: 'Files blocked' }).getByRole('row')).toHaveText(['NameSizeDirectionStatus', 'CalendarFix-2.1.msi18 MBTo this computerBlocked']);
    await expect(page.getByRole('list').filter({ hasText: 'Hello!' }).getByRole('listitem')).toHaveCount(4);
    await expect(page.getByText('Disabled the "Calendar Sync" add-in; shared calendars open again.')).toBeVisible();
  });

  test('Copy details sends the whole summary as text', async ({ page }) => {
    await showSummary(page);
    await page.getByRole('button', { name: 'Copy details' }).click();
    const [text] = (await sentOn(page, 'summary:copy')) as string[];
    expect(text).toContain('Technician: Alice Moreau (helpdesk · Robinson Park IT)');
    expect(text).toContain('Ticket: INC0012345 <https://helpdesk.example.com/tickets/INC0012345>');
    expect(text).toContain('Duration: 18 minutes 42 seconds');
    expect(text).toContain(`CalendarFix-2.1.msi — 18 MB — To this computer — Blocked — sha256 ${'b'.repeat(64)}`);
    expect(text).toContain('All done. I copied the diagnostics log to the ticket.');
    await expect(page.getByRole('status')).toHaveText('Details copied to the clipboard.');
  });

  test('a long session says how many older files and messages are not listed', async ({ page }) => {
    await showSummary(page, { ...summaryView(), filesOmitted: 38, narrationOmitted: 1 });
    await expect(page.getByText('…and 38 earlier files, listed in the audit log.')).toBeVisible();
    await expect(page.getByText('…and 1 earlier message, kept in the audit log.')).toBeVisible();
    await page.getByRole('button', { name: 'Copy details' }).click();
    const [text] = (await sentOn(page, 'summary:copy')) as string[];
    expect(text).toContain('…and 38 earlier files, listed in the audit log.');
  });

  test('lists the technician\'s notes under "What was changed", apart from what they said', async ({ page }) => {
    await showSummary(page, summaryWithNotes());
    const changes = page.getByRole('region', { name: 'What was changed' });
    await expect(changes.getByRole('listitem')).toHaveCount(3);
    await expect(changes.getByText('Ran outlook.exe /safe')).toBeVisible();
    await expect(page.getByRole('region', { name: 'What your technician said' }).getByText('Ran outlook.exe /safe')).toHaveCount(0);
    await page.getByRole('button', { name: 'Copy details' }).click();
    const [text] = (await sentOn(page, 'summary:copy')) as string[];
    expect(text).toMatch(/What was changed:\n {2}[^\n]+? {2}Ran outlook\.exe \/safe\n/);
    expect(text).toContain('Cleared the Outlook cache:\n    deleted %LOCALAPPDATA%');
  });

  test('without notes there is no "What was changed" section', async ({ page }) => {
    await showSummary(page);
    await expect(page.getByRole('heading', { name: 'What was changed' })).toHaveCount(0);
  });

  test('says how many older notes are not listed', async ({ page }) => {
    await showSummary(page, { ...summaryWithNotes(), notesOmitted: 2 });
    await expect(page.getByText('…and 2 earlier notes, kept in the audit log.')).toBeVisible();
  });

  for (const theme of THEMES) {
    test(`with notes: no axe violations, nothing sideways, screenshotted at the window size (${theme})`, async ({ page }) => {
      await page.setViewportSize(SUMMARY_SIZE);
      await openPage(page, baseUrl(), 'summary', theme);
      await deliver(page, 'summary:show', summaryWithNotes());
      await page.getByRole('heading', { name: 'What was changed' }).scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/screenshots/summary-notes-window-${theme}.png`, animations: 'disabled' });
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await saveScreenshot(page, `summary-notes-${theme}`);
      await expectNoAxeOrCspViolations(page);
    });
  }

  test('Close asks main to close the window', async ({ page }) => {
    await showSummary(page);
    await page.getByRole('button', { name: 'Close' }).click();
    expect(await sentOn(page, 'summary:close')).toEqual([undefined]);
  });

  test('says so when no files moved and nothing was narrated', async ({ page }) => {
    await showSummary(page, summaryView({ files: [], narration: [], outcome: 'accepted' }));
    await expect(page.getByText('No files were transferred.')).toBeVisible();
    await expect(page.getByText('Your technician sent no messages.')).toBeVisible();
  });

  test('a declined request says no access was granted, and long file names wrap without breaking headers', async ({ page }) => {
    await page.setViewportSize({ width: 640, height: 720 });
    const longName = `${'quarterly-report-final-v2-'.repeat(3)}x.xlsx`.slice(0, 79);
    await showSummary(page, summaryView({ outcome: 'declined', scopesGranted: [], scopesUsed: [], files: [{ name: longName, size: 10, direction: 'to-device', sha256: 'c'.repeat(64), allowed: false }] }));
    await expect(page.getByText('No access was granted.')).toBeVisible();
    await expect(page.getByRole('table', { name: 'Access' })).toHaveCount(0);
    await expect(page.getByText('No files were transferred.')).toBeVisible();
    const header = page.getByRole('columnheader', { name: 'Direction' });
    const lineHeight = await header.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 24);
    expect((await header.boundingBox())!.height).toBeLessThan(lineHeight * 2 + 16);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
  });

  test('a malformed summary is not shown', async ({ page }) => {
    await showSummary(page, { ...summaryView(), durationSec: -1 });
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(0);
  });

  test('markup in every field renders as inert text', async ({ page }) => {
    const dialogs = recordDialogs(page);
    await showSummary(page, hostileSummaryView());
    await expectInertMarkup(page, ['name', 'org', 'file', 'narration', 'reply', 'note'], dialogs);
  });

  for (const theme of THEMES) {
    test(`has no axe violations and is screenshotted (${theme})`, async ({ page }) => {
      await showSummary(page, summaryView(), theme);
      await saveScreenshot(page, `summary-${theme}`);
      await expectNoAxeOrCspViolations(page);
    });
  }

  test('stays readable at 200 % zoom: nothing scrolls sideways', async ({ page }) => {
    await page.setViewportSize({ width: 320, height: 450 });
    await openPage(page, baseUrl(), 'summary');
    await deliver(page, 'summary:show', summaryView());
    await saveScreenshot(page, 'summary-zoom200-light');
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  });
});
