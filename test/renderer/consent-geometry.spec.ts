// Consent first: at the exact window size the shell opens (window-options.ts), in light and dark, for 1 to 4
// scopes and every mode, with every text at its longest accepted length, who asks, the verification code, each
// checkbox, Decline and Allow are on screen without scrolling and nothing covers them or their focus rings.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { Browser, Page } from '@playwright/test';
import { consentSizeForZoom } from '../../src/main/consent-size.js';
import { CONSENT_SIZE } from '../../src/main/window-options.js';
import { MAX_NAME_LENGTH } from '../../src/protocol/primitives.js';
import { SCOPES } from '../../src/protocol/scopes.js';
import { CONTACT_NOTE_MAX } from '../../src/protocol/contact.js';
import type { ConsentView } from '../../src/shared/view-models.js';
import { deliver, sentOn } from './fake-bridge.js';
import { expectFocusRingVisible, expectOnScreenAndUncovered, expectShowMoreClear, longest, sidewaysScroll, verticalScroll } from './geometry-checks.js';
import { openPage, THEMES } from './open-page.js';
import { consentView } from './sample-views.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'consent');
const shots = fileURLToPath(new URL('../../test-results/screenshots', import.meta.url));

const MODES = ['attended', 'unattended', 'emergency', 'escalation'] as const;
type Mode = (typeof MODES)[number];

function longestView(mode: Mode, scopeCount: number): ConsentView {
  const requested = mode === 'escalation' ? SCOPES.slice(SCOPES.length - scopeCount) : SCOPES.slice(0, scopeCount);
  const others = SCOPES.filter((s) => !requested.includes(s));
  const base = consentView({
    technician: { id: 'alice', name: longest('Wilhelmina Maximiliane', MAX_NAME_LENGTH), group: 'helpdesk-tier2', org: longest('Robinson Park Municipal IT', MAX_NAME_LENGTH) },
    ticket: { id: `INC${'0'.repeat(61)}`, url: 'https://helpdesk.example.com/tickets/INC0012345' },
    reason: longest('Outlook crashes when opening shared calendars and we will repair it.', 500),
    scopes: requested as ConsentView['scopes'],
    blockedScopes: mode === 'escalation' ? [] : others,
    itWording: { displayName: longest('Robinson Park IT', 40), customLine: longest('We will never ask for your password.', 80), supportPhone: '+1 (555) 0100 ext. 47110' },
    queued: 100,
    // The longest contact sentence, a note at its limit, and IT's rule that goes with a required contact.
    ...(mode === 'escalation' ? {} : { contact: { channel: 'in-person' as const, at: '2026-11-30T09:15:00.000Z', note: longest('met at the front desk, ext. 4411', CONTACT_NOTE_MAX) } }),
    ...(mode === 'attended' ? { contactRequired: true } : {}),
  });
  switch (mode) {
    case 'attended':
      return base;
    case 'unattended':
      // A new session a manager approved asks the user first and names the approver in "you decide" (issue 20).
      return { ...base, mode: { kind: 'unattended', approver: longest('Bob Manager-Ngata', 100), reference: longest('CHG0004711', 200) }, approvalIfNoAnswer: true };
    case 'emergency':
      return { ...base, mode: { kind: 'emergency', justification: longest('Payroll server unreachable; payroll run due.', 1000), incident: longest('MAJ-2026-118', 100) } };
    case 'escalation': {
      // As the core builds it: a confirmation code only while the session already holds control or admin.
      const needsCode = others.some((s) => s === 'control' || s === 'admin');
      return { ...base, kind: 'escalation', sessionId: 'ses-0001', extendMinutes: 15, grantedScopes: others, ...(needsCode ? { confirmCode: '472' } : {}) };
    }
  }
}

async function show(page: Page, view: ConsentView, theme: (typeof THEMES)[number]) {
  await page.setViewportSize(CONSENT_SIZE);
  await openPage(page, baseUrl(), 'consent', theme);
  await deliver(page, 'consent:show', view);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
}

async function screenshot(page: Page, name: string) {
  mkdirSync(shots, { recursive: true });
  // The window as the user gets it: exactly the viewport, no growing to the content.
  await page.screenshot({ path: `${shots}/${name}.png`, animations: 'disabled' });
}

/** The consent page at 200 % in a window of `size` device pixels, showing `view`; nothing scrolls sideways. */
async function zoomed200(browser: Browser, size: { width: number; height: number }, theme: (typeof THEMES)[number], view: ConsentView) {
  const context = await browser.newContext({ viewport: { width: size.width / 2, height: size.height / 2 }, deviceScaleFactor: 2 });
  const page = await context.newPage();
  await openPage(page, baseUrl(), 'consent', theme);
  await deliver(page, 'consent:show', view);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
  return { context, page };
}

test.describe('consent geometry at the shell window size', () => {
  for (const theme of THEMES) {
    for (const mode of MODES) {
      for (let n = 1; n <= SCOPES.length; n++) {
        test(`${mode}, ${n} scope(s), longest texts, ${theme}`, async ({ page }) => {
          const view = longestView(mode, n);
          await show(page, view, theme);
          expect(await verticalScroll(page)).toBeLessThanOrEqual(0);
          expect(await verticalScroll(page, '.consent-scroll')).toBeLessThanOrEqual(0);
          expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);

          await expectOnScreenAndUncovered(page.locator('.who-name'), 'technician name');
          await expectOnScreenAndUncovered(page.locator('.identity-value'), 'verified organisation');
          await expectOnScreenAndUncovered(page.locator('.code'), 'verification code');
          // Unattended and emergency say so in words at the top, in full (not cut off with an ellipsis).
          if (view.mode.kind !== 'attended') {
            const title = page.locator('.mode-title');
            const titles = { emergency: 'Emergency access, outside the usual approval', unattended: 'A manager approved this for when you are away. You decide.' };
            await expect(title).toHaveText(titles[view.mode.kind]);
            await expectOnScreenAndUncovered(title, 'mode title');
            expect(await title.evaluate((el) => el.scrollWidth - el.clientWidth), 'mode title cut off').toBeLessThanOrEqual(0);
          }
          // A request a manager approved says in its title that the user decides; the countdown says what silence does.
          if (view.approvalIfNoAnswer) {
            await expect(page.locator('.countdown')).toHaveText(/^Approval applies in \d+:\d\d$/);
            await expectOnScreenAndUncovered(page.locator('.countdown'), 'countdown');
          }
          const boxes = page.locator('.scope input[type=checkbox]');
          expect(await boxes.count()).toBe(mode === 'escalation' ? n : SCOPES.length);
          for (const box of await boxes.all()) await expectOnScreenAndUncovered(box, `checkbox ${await box.getAttribute('value')}`);
          const decline = page.getByRole('button', { name: 'Decline' });
          const allow = page.getByRole('button', { name: 'Allow selected' });
          await expectOnScreenAndUncovered(decline, 'Decline');
          await expectOnScreenAndUncovered(allow, 'Allow');
          if (view.confirmCode) await expectOnScreenAndUncovered(page.locator('#confirm-input'), 'confirmation code field');

          // The long reason is what gives way, behind "Show more": a button of its own beside the cut, not on its fade.
          await expectShowMoreClear(page);

          // The list was in view from the start: Allow arms after the usual delay (once something is ticked).
          if ((await page.locator('.scope input:checked').count()) === 0) await page.locator('.scope input:not([disabled])').first().check();
          await expect(page.locator('.scope-set')).toHaveAttribute('data-in-view', 'true');
          await page.clock.runFor(1000);
          if (!view.confirmCode) await expect(allow).toHaveAttribute('aria-disabled', 'false');

          await page.keyboard.press('Shift');
          for (const box of await page.locator('.scope input:not([disabled])').all()) await expectFocusRingVisible(page, box, `checkbox ${await box.getAttribute('value')}`);
          await expectFocusRingVisible(page, decline, 'Decline');
          await expectFocusRingVisible(page, allow, 'Allow');
          await expectFocusRingVisible(page, page.getByRole('button', { name: 'Show more' }), 'Show more');
          if (view.confirmCode) await expectFocusRingVisible(page, page.locator('#confirm-input'), 'confirmation code field');

          if (n === SCOPES.length || (mode === 'escalation' && n === 2)) await screenshot(page, `consent-${mode}-${n}scopes-${theme}`);
        });
      }
    }
  }
});

test.describe('"Show more" opens the clipped details', () => {
  for (const theme of THEMES) {
    test(`expands in place, the technician's words can be read, Decline and Allow stay on screen (${theme})`, async ({ page }) => {
      const view = longestView('attended', 4);
      await show(page, view, theme);
      const more = page.getByRole('button', { name: 'Show more' });
      await expect(more).toHaveAttribute('aria-expanded', 'false');
      await expect(more).toHaveAttribute('aria-controls', 'consent-details');
      await page.keyboard.press('Tab');
      await more.focus();
      await page.keyboard.press('Enter');
      const less = page.getByRole('button', { name: 'Show less' });
      await expect(less).toHaveAttribute('aria-expanded', 'true');
      const words = page.locator('.words-text');
      await words.scrollIntoViewIfNeeded();
      await expect(words).toBeInViewport();
      await expect(words).toHaveText(view.reason);
      await expectOnScreenAndUncovered(page.getByRole('button', { name: 'Decline' }), 'Decline');
      await expectOnScreenAndUncovered(page.getByRole('button', { name: 'Allow selected' }), 'Allow');
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      await less.scrollIntoViewIfNeeded();
      await expectOnScreenAndUncovered(less, 'Show less');
      await screenshot(page, `consent-details-expanded-${theme}`);
      await less.click();
      await expect(page.getByRole('button', { name: 'Show more' })).toHaveAttribute('aria-expanded', 'false');
      expect(await sentOn(page, 'consent:answer')).toEqual([]);
    });
  }
});

test.describe('consent at 200 % zoom in the same window', () => {
  for (const theme of THEMES) {
    test(`Decline and Allow stay on screen; Allow waits until the whole list was scrolled into view (${theme})`, async ({ browser }) => {
      // 200 %: the same device pixels, half the CSS pixels.
      const context = await browser.newContext({ viewport: { width: CONSENT_SIZE.width / 2, height: CONSENT_SIZE.height / 2 }, deviceScaleFactor: 2 });
      const page = await context.newPage();
      await openPage(page, baseUrl(), 'consent', theme);
      await deliver(page, 'consent:show', longestView('attended', 4));
      await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
      expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
      const allow = page.getByRole('button', { name: 'Allow selected' });
      await expectOnScreenAndUncovered(page.getByRole('button', { name: 'Decline' }), 'Decline');
      await expectOnScreenAndUncovered(allow, 'Allow');
      await page.screenshot({ path: `${shots}/consent-zoom200-top-${theme}.png` });

      // However long it waits, the list is below the fold: Allow stays disarmed and says why.
      await page.clock.runFor(5000);
      await expect(allow).toHaveAttribute('aria-disabled', 'true');
      await expect(page.locator('#allow-hint')).toHaveText(/whole access list is on screen/);

      // Scroll the list through the window, row by row; then the delay runs.
      for (const row of await page.locator('.scope-set legend, .scope').all()) {
        await row.scrollIntoViewIfNeeded();
        await expect.poll(() => row.evaluate((el) => el.getBoundingClientRect().top >= 0)).toBe(true);
      }
      await page.locator('.scope').last().evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await page.screenshot({ path: `${shots}/consent-zoom200-list-${theme}.png` });
      await expectOnScreenAndUncovered(page.locator('.scope input').last(), 'last checkbox');
      await expect(page.locator('.scope-set')).toHaveAttribute('data-in-view', 'true');
      await page.clock.runFor(999);
      await expect(allow).toHaveAttribute('aria-disabled', 'true');
      await page.clock.runFor(1);
      await expect(allow).toHaveAttribute('aria-disabled', 'false');
      await page.keyboard.press('Shift');
      await expectFocusRingVisible(page, page.locator('.scope input').last(), 'last checkbox');
      await expectFocusRingVisible(page, allow, 'Allow');
      expect(await sentOn(page, 'consent:answer')).toEqual([]);
      await context.close();
    });
  }
});

test.describe('consent at 200 % zoom in the window the shell sizes for it (consent-size.ts)', () => {
  // A 1440p screen has room for twice the window; a 1080p one (task bar taken off) has not, in height.
  const WORK_AREAS = [
    { label: '2560x1400 work area', area: { x: 0, y: 0, width: 2560, height: 1400 } },
    { label: '1920x1040 work area', area: { x: 0, y: 0, width: 1920, height: 1040 } },
  ];
  for (const theme of THEMES) {
    for (const { label, area } of WORK_AREAS) {
      test(`footer with Decline and Allow always on screen; everything else too where the window could grow (${label}, ${theme})`, async ({ browser }) => {
        const size = consentSizeForZoom(2, area);
        const { context, page } = await zoomed200(browser, size, theme, longestView('attended', 4));
        expect(await verticalScroll(page), 'the page itself never scrolls: only the part above the footer does').toBeLessThanOrEqual(0);
        const decline = page.getByRole('button', { name: 'Decline' });
        const allow = page.getByRole('button', { name: 'Allow selected' });
        await expectOnScreenAndUncovered(decline, 'Decline');
        await expectOnScreenAndUncovered(allow, 'Allow');
        const grown = size.height === CONSENT_SIZE.height * 2;
        await page.screenshot({ path: `${shots}/consent-zoom200-${grown ? 'grown' : 'capped'}-${theme}.png` });
        if (grown) {
          // Twice the window at twice the size: the same layout as at 100 %, nothing to scroll to decide.
          expect(await verticalScroll(page, '.consent-scroll')).toBeLessThanOrEqual(0);
          for (const box of await page.locator('.scope input[type=checkbox]').all()) await expectOnScreenAndUncovered(box, `checkbox ${await box.getAttribute('value')}`);
          await expectOnScreenAndUncovered(page.locator('.code'), 'verification code');
          await expectShowMoreClear(page);
          await expect(page.locator('.scope-set')).toHaveAttribute('data-in-view', 'true');
          await page.clock.runFor(1000);
          await expect(allow).toHaveAttribute('aria-disabled', 'false');
        } else {
          // Capped by the screen: the list may sit below the fold, and then Allow waits for it to be scrolled into view.
          await expect(page.locator('.scope-set')).toHaveAttribute('data-in-view', /^(true|false)$/);
          const inView = await page.locator('.scope-set').getAttribute('data-in-view');
          await page.clock.runFor(5000);
          if (inView !== 'true') {
            await expect(allow).toHaveAttribute('aria-disabled', 'true');
            await page.locator('.scope').last().evaluate((el) => el.scrollIntoView({ block: 'end' }));
            await page.locator('.scope-set').evaluate((el) => el.scrollIntoView({ block: 'nearest' }));
            await expect(page.locator('.scope-set')).toHaveAttribute('data-in-view', 'true');
            await page.clock.runFor(1000);
          }
          await expect(allow).toHaveAttribute('aria-disabled', 'false');
          await expectOnScreenAndUncovered(decline, 'Decline after scrolling');
          await expectOnScreenAndUncovered(allow, 'Allow after scrolling');
        }
        await page.keyboard.press('Shift');
        await expectFocusRingVisible(page, decline, 'Decline');
        await expectFocusRingVisible(page, allow, 'Allow');
        expect(await sentOn(page, 'consent:answer')).toEqual([]);
        await context.close();
      });
    }
  }
});

test.describe('a request a manager approved, at 200 % in the window the shell sizes for it', () => {
  for (const theme of THEMES) {
    test(`"you decide" title, code, every checkbox, Decline and Allow on screen without scrolling (${theme})`, async ({ browser }) => {
      const { context, page } = await zoomed200(browser, consentSizeForZoom(2, { x: 0, y: 0, width: 2560, height: 1400 }), theme, longestView('unattended', 4));
      expect(await verticalScroll(page, '.consent-scroll')).toBeLessThanOrEqual(0);
      await expectOnScreenAndUncovered(page.locator('.mode-title'), 'mode title');
      await expectOnScreenAndUncovered(page.locator('.countdown'), 'countdown');
      await expectOnScreenAndUncovered(page.locator('.code'), 'verification code');
      for (const box of await page.locator('.scope input[type=checkbox]').all()) await expectOnScreenAndUncovered(box, `checkbox ${await box.getAttribute('value')}`);
      await expectOnScreenAndUncovered(page.getByRole('button', { name: 'Decline' }), 'Decline');
      await expectOnScreenAndUncovered(page.getByRole('button', { name: 'Allow selected' }), 'Allow');
      await page.screenshot({ path: `${shots}/consent-zoom200-unattended-${theme}.png` });
      await context.close();
    });
  }
});
