// The settings page in real Chromium, fed through a fake bridge.
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import type { SettingRow, SettingsResult } from '../../src/shared/settings-view.js';
import { deliver, sentOn } from './fake-bridge.js';
import { openPage, saveScreenshot, screenshotDir, THEMES } from './open-page.js';
import type { Theme } from './open-page.js';
import { expectInertMarkup, expectNoAxeOrCspViolations, recordDialogs, sidewaysOverflow } from './page-checks.js';
import { SETTINGS_SIZE } from '../../src/main/window-options.js';
import { hostileSettingsView, settingsView } from './sample-settings.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'settings');

async function showSettings(page: Page, view: unknown = settingsView(), theme: Theme = 'light') {
  await page.setViewportSize({ width: 620, height: 900 });
  await openPage(page, baseUrl(), 'settings', theme);
  await deliver(page, 'settings:show', view);
}

const rowOf = (id: SettingRow['id']) => settingsView().rows.find((r) => r.id === id)!;
const row = (page: Page, id: SettingRow['id']) => page.locator(`[data-row="${id}"]`);

test.describe('settings page', () => {
  test('asks for its rows, then shows every value with where it came from', async ({ page }) => {
    await page.setViewportSize({ width: 620, height: 900 });
    await openPage(page, baseUrl(), 'settings');
    expect(await sentOn(page, 'settings:ready')).toEqual([undefined]);
    await deliver(page, 'settings:show', settingsView());
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Settings');
    await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
    await expect(page.getByRole('checkbox', { name: 'Start Porchlight when you sign in' })).toBeChecked();
    await expect(page.getByRole('spinbutton', { name: 'Time to answer a request' })).toHaveValue('45');
    await expect(row(page, 'promptTimeoutSec')).toContainText('(From 15 to 60 seconds)');
    await expect(row(page, 'promptTimeoutSec')).toContainText('Your choice');
    await expect(page.getByRole('spinbutton', { name: 'Longest session' })).toHaveValue('30');
    const scopes = page.getByRole('group', { name: 'Access technicians may ask for' });
    await expect(scopes.getByRole('checkbox', { name: 'See your screen' })).toBeChecked();
    await expect(scopes.getByRole('checkbox', { name: 'Administrator rights' })).not.toBeChecked();
    await expect(row(page, 'relayUrl')).toContainText('wss://relay.example.com:7443');
    await expect(row(page, 'relayKeyFingerprint')).toContainText('K7QF-2M9X-ABCD-EFGH-IJKL');
    await expect(row(page, 'approvalsKeyFingerprint')).toContainText('Not set');
    await expect(row(page, 'unattendedAllowed')).toContainText('Allowed');
    await expect(row(page, 'fileTransferMaxBytes')).toContainText('100 MB');
    await expect(row(page, 'retentionDays')).toContainText('90 days');
    await expect(row(page, 'allowQuit')).toContainText('Off');
    await expect(row(page, 'emergencyAllowed')).toContainText('Default');
  });

  test('IT’s own wording is listed with the other keys: locked where IT set it, "Not set" otherwise', async ({ page }) => {
    await showSettings(page);
    const section = page.getByRole('region', { name: 'How your IT department introduces itself' });
    await expect(section).toBeVisible();
    await expect(row(page, 'itDisplayName')).toContainText('Name on support requests');
    await expect(row(page, 'itDisplayName').locator('.setting-value')).toHaveText('Robinson Park IT');
    await expect(row(page, 'itConsentLine').locator('.setting-value')).toHaveText('Robinson Park IT will never ask for your password.');
    for (const id of ['itDisplayName', 'itConsentLine'] as const) {
      await expect(row(page, id)).toContainText('Set by your IT department');
      await expect(row(page, id).locator('.lock-icon')).toHaveCount(1);
    }
    await expect(row(page, 'itSupportPhone').locator('.setting-value')).toHaveText('Not set');
    await expect(row(page, 'itSupportPhone')).toContainText('Default');
    await expect(row(page, 'itSupportPhone').locator('.lock-icon')).toHaveCount(0);
    // Nothing here can be changed from the page.
    await expect(section.locator('input, button, select, textarea')).toHaveCount(0);
    // Each value is its own bidi paragraph.
    await expect(row(page, 'itDisplayName').locator('.setting-value')).toHaveAttribute('dir', 'auto');
    // Words in the text face; only fingerprints are set in monospace for comparing.
    await expect(row(page, 'itConsentLine').locator('.setting-value')).not.toHaveClass(/mono/);
    await expect(row(page, 'relayKeyFingerprint').locator('.setting-value')).toHaveClass(/mono/);
    // A sentence sits on its own line under its label, never squeezing the label into a column of broken words.
    const label = (await row(page, 'itConsentLine').locator('.setting-label').boundingBox())!;
    const value = (await row(page, 'itConsentLine').locator('.setting-value').boundingBox())!;
    expect(value.y).toBeGreaterThanOrEqual(label.y + label.height - 0.5);
    expect(label.height, 'the label stays on one line').toBeLessThan(32);
  });

  test('locked keys are disabled, show the lock and are announced as set by IT', async ({ page }) => {
    await showSettings(page);
    const longest = page.getByRole('spinbutton', { name: 'Longest session' });
    await expect(longest).toBeDisabled();
    await expect(longest).toHaveAccessibleDescription(/Set by your IT department/);
    await expect(row(page, 'maxSessionMinutes').locator('.lock-icon')).toHaveCount(1);
    // Unlocked preferences are enabled and say whose value it is.
    await expect(page.getByRole('spinbutton', { name: 'Time to answer a request' })).toBeEnabled();
    await expect(page.getByRole('spinbutton', { name: 'Time to answer a request' })).toHaveAccessibleDescription(/Your choice/);
    // Every IT-managed row carries the lock and the label; defaults do not.
    for (const id of ['relayUrl', 'relayKeyFingerprint', 'unattendedAllowed', 'allowQuit'] as const) {
      await expect(row(page, id)).toContainText('Set by your IT department');
      await expect(row(page, id).locator('.lock-icon')).toHaveCount(1);
    }
    await expect(row(page, 'retentionDays').locator('.lock-icon')).toHaveCount(0);

    const locked = settingsView({ rows: settingsView().rows.map((r) => (r.id === 'allowedScopes' || r.id === 'startAtLogin' ? { ...r, source: 'managed', locked: true, editable: false } : r)) });
    await deliver(page, 'settings:show', locked);
    await expect(page.getByRole('checkbox', { name: 'Start Porchlight when you sign in' })).toBeDisabled();
    await expect(page.getByRole('checkbox', { name: 'Start Porchlight when you sign in' })).toHaveAccessibleDescription(/Set by your IT department/);
    for (const box of await page.getByRole('group', { name: 'Access technicians may ask for' }).getByRole('checkbox').all()) await expect(box).toBeDisabled();
    await expect(page.getByRole('group', { name: 'Access technicians may ask for' })).toHaveAccessibleDescription(/Set by your IT department/);
    expect(await sentOn(page, 'settings:change')).toEqual([]);
  });

  test('changing an unlocked key sends settings:change and shows the saved result', async ({ page }) => {
    await showSettings(page);
    await page.getByRole('checkbox', { name: 'Start Porchlight when you sign in' }).uncheck();
    expect(await sentOn(page, 'settings:change')).toEqual([{ key: 'startAtLogin', value: false }]);
    await expect(row(page, 'startAtLogin').locator('.row-status')).toHaveText('Saving…');
    const result: SettingsResult = { ok: true, key: 'startAtLogin', row: { ...rowOf('startAtLogin'), value: false, source: 'user' } as SettingRow, restartRequired: false };
    await deliver(page, 'settings:result', result);
    await expect(row(page, 'startAtLogin').getByRole('status')).toHaveText('Saved.');
    await expect(row(page, 'startAtLogin')).toContainText('Your choice');
    await expect(page.locator('#announcer')).toHaveText('Start Porchlight when you sign in: Saved.');

    // Keyboard only: type a number and commit with Enter; untick a scope with Space.
    const timeout = page.getByRole('spinbutton', { name: 'Time to answer a request' });
    await timeout.focus();
    await timeout.fill('20');
    await timeout.press('Enter');
    await page.getByRole('checkbox', { name: 'Transfer files' }).focus();
    await page.keyboard.press('Space');
    expect((await sentOn(page, 'settings:change')).slice(1)).toEqual([
      { key: 'promptTimeoutSec', value: 20 },
      { key: 'allowedScopes', value: ['view', 'control'] },
    ]);
    await deliver(page, 'settings:result', { ok: true, key: 'promptTimeoutSec', row: { ...rowOf('promptTimeoutSec'), value: 20 }, restartRequired: true });
    await expect(row(page, 'promptTimeoutSec').getByRole('status')).toHaveText('Saved. Takes effect the next time Porchlight starts.');
  });

  test('a value out of bounds is not sent and says why', async ({ page }) => {
    await showSettings(page);
    const timeout = page.getByRole('spinbutton', { name: 'Time to answer a request' });
    await timeout.fill('600');
    await timeout.press('Enter');
    await expect(row(page, 'promptTimeoutSec').getByRole('status')).toHaveText('Not saved: enter a whole number from 15 to 60. It stays at 45 seconds.');
    // The field shows what is stored, never the refused value.
    await expect(timeout).toHaveValue('45');
    for (const bad of ['', '2.5', '-1']) {
      await timeout.fill(bad);
      await timeout.press('Enter');
      await expect(timeout).toHaveValue('45');
    }
    expect(await sentOn(page, 'settings:change')).toEqual([]);
  });

  for (const theme of THEMES) {
    test(`"Set by your IT department" reads as a label, not a link (${theme})`, async ({ page }) => {
      await showSettings(page, settingsView(), theme);
      const label = row(page, 'relayUrl').locator('.setting-source');
      await expect(label).toHaveText('Set by your IT department');
      const look = await label.evaluate((el) => {
        const style = getComputedStyle(el);
        const body = getComputedStyle(document.body);
        const probe = document.createElement('button');
        probe.className = 'link-button';
        document.body.append(probe);
        const link = getComputedStyle(probe).color;
        probe.remove();
        return { color: style.color, text: body.color, link, decoration: style.textDecorationLine, cursor: style.cursor, tag: el.tagName };
      });
      // The colour of ordinary text, not of the page's links; no underline, no hand cursor, not a link element.
      expect(look.color).toBe(look.text);
      expect(look.color).not.toBe(look.link);
      expect(look).toMatchObject({ decoration: 'none', cursor: 'default', tag: 'P' });
      await expect(row(page, 'relayUrl').getByRole('link')).toHaveCount(0);
    });
  }

  test('a refused change shows the error and puts the control back', async ({ page }) => {
    await showSettings(page);
    await page.getByRole('checkbox', { name: 'Administrator rights' }).check();
    expect(await sentOn(page, 'settings:change')).toEqual([{ key: 'allowedScopes', value: ['view', 'control', 'admin', 'file-transfer'] }]);
    await deliver(page, 'settings:result', { ok: false, key: 'allowedScopes', code: 'locked', row: { ...rowOf('allowedScopes'), source: 'managed', locked: true, editable: false } });
    await expect(row(page, 'allowedScopes').getByRole('status')).toHaveText('Not saved: your IT department sets this.');
    await expect(page.getByRole('checkbox', { name: 'Administrator rights' })).not.toBeChecked();
    await expect(page.getByRole('checkbox', { name: 'Administrator rights' })).toBeDisabled();
    await expect(row(page, 'allowedScopes')).toContainText('Set by your IT department');

    await page.getByRole('checkbox', { name: 'Start Porchlight when you sign in' }).uncheck();
    await deliver(page, 'settings:result', { ok: false, key: 'startAtLogin', code: 'write-failed', row: rowOf('startAtLogin') });
    await expect(row(page, 'startAtLogin').getByRole('status')).toHaveText('Not saved: Porchlight could not write your settings. Please try again.');
    await expect(page.getByRole('checkbox', { name: 'Start Porchlight when you sign in' })).toBeChecked();
  });

  test('malformed views and results are ignored', async ({ page }) => {
    await showSettings(page, { ...settingsView(), rows: [{ ...rowOf('startAtLogin'), locked: true, editable: true }] });
    await expect(page.getByRole('heading', { level: 1 })).toHaveCount(0);
    await deliver(page, 'settings:show', settingsView());
    await deliver(page, 'settings:result', { ok: true, key: 'relayUrl', row: rowOf('relayUrl'), restartRequired: false });
    await expect(row(page, 'relayUrl').locator('.row-status')).toHaveCount(0);
  });

  test('Close asks main to close the window', async ({ page }) => {
    await showSettings(page);
    await page.getByRole('button', { name: 'Close' }).click();
    expect(await sentOn(page, 'settings:close')).toEqual([undefined]);
  });

  test('a change main refuses without sending a row goes back to the stored value', async ({ page }) => {
    await showSettings(page);
    const timeout = page.getByRole('spinbutton', { name: 'Time to answer a request' });
    await timeout.fill('20');
    await timeout.press('Enter');
    expect(await sentOn(page, 'settings:change')).toEqual([{ key: 'promptTimeoutSec', value: 20 }]);
    await deliver(page, 'settings:result', { ok: false, key: 'promptTimeoutSec', code: 'write-failed' });
    await expect(timeout).toHaveValue('45');
    const scopes = page.getByRole('group', { name: 'Access technicians may ask for' });
    await scopes.getByRole('checkbox', { name: 'See your screen' }).uncheck();
    await deliver(page, 'settings:result', { ok: false, key: 'allowedScopes', code: 'invalid' });
    await expect(scopes.getByRole('checkbox', { name: 'See your screen' })).toBeChecked();
  });

  test('markup in values renders as inert text', async ({ page }) => {
    const dialogs = recordDialogs(page);
    await showSettings(page, hostileSettingsView());
    await expectInertMarkup(page, ['relay', 'fingerprint', 'pin', 'problem'], dialogs);
  });

  for (const theme of THEMES) {
    test(`has no axe violations and is screenshotted (${theme})`, async ({ page }) => {
      await showSettings(page, settingsView(), theme);
      await deliver(page, 'settings:result', { ok: false, key: 'promptTimeoutSec', code: 'invalid', row: rowOf('promptTimeoutSec') });
      await saveScreenshot(page, `settings-${theme}`);
      await expectNoAxeOrCspViolations(page);
    });
  }

  test('stays readable at 200 % zoom: nothing scrolls sideways', async ({ page }) => {
    await page.setViewportSize({ width: 310, height: 450 });
    await openPage(page, baseUrl(), 'settings');
    await deliver(page, 'settings:show', settingsView({ problems: ['managed policy invalid (/etc/porchlight/policy.json): promptTimeoutSec too small; using the safest settings'] }));
    await saveScreenshot(page, 'settings-zoom200-light');
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
  });

  for (const theme of THEMES) {
    test(`at the window size the shell opens (${theme}): every preference on screen without scrolling, IT's wording below`, async ({ page }) => {
      await page.setViewportSize(SETTINGS_SIZE);
      await openPage(page, baseUrl(), 'settings', theme);
      await deliver(page, 'settings:show', settingsView());
      await expect(page.getByRole('heading', { level: 1 })).toBeFocused();
      for (const control of [
        page.getByRole('checkbox', { name: 'Start Porchlight when you sign in' }),
        page.getByRole('spinbutton', { name: 'Time to answer a request' }),
        page.getByRole('spinbutton', { name: 'Longest session' }),
        ...(await page.getByRole('group', { name: 'Access technicians may ask for' }).getByRole('checkbox').all()),
      ])
        await expect(control).toBeInViewport({ ratio: 1 });
      expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${screenshotDir}/settings-window-${theme}.png`, animations: 'disabled' });
      const wording = page.getByRole('region', { name: 'How your IT department introduces itself' });
      await wording.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `${screenshotDir}/settings-window-it-wording-${theme}.png`, animations: 'disabled' });
    });
  }

  test('at 200 % zoom in the same window: nothing scrolls sideways, the lock tag stays a label', async ({ browser }) => {
    const context = await browser.newContext({ viewport: { width: SETTINGS_SIZE.width / 2, height: SETTINGS_SIZE.height / 2 }, deviceScaleFactor: 2 });
    const page = await context.newPage();
    await openPage(page, baseUrl(), 'settings');
    await deliver(page, 'settings:show', settingsView());
    expect(await sidewaysOverflow(page)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${screenshotDir}/settings-window-zoom200-light.png`, animations: 'disabled' });
    await row(page, 'itConsentLine').scrollIntoViewIfNeeded();
    await expect(row(page, 'itConsentLine')).toContainText('Set by your IT department');
    await page.screenshot({ path: `${screenshotDir}/settings-window-zoom200-it-wording-light.png`, animations: 'disabled' });
    await context.close();
  });
});
