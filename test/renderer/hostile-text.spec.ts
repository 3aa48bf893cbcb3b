// A hostile-text corpus through the one text policy and the consent page: each string is either rejected by the
// schema with a stable text:<code>, or shown exactly as accepted, isolated, without widening or reordering the page.
import { expect, test } from '@playwright/test';
import { CONSENT_SIZE } from '../../src/main/window-options.js';
import { consentViewSchema } from '../../src/shared/view-models.js';
import type { ConsentView } from '../../src/shared/view-models.js';
import { deliver, sentOn } from './fake-bridge.js';
import { sidewaysScroll } from './geometry-checks.js';
import { openPage } from './open-page.js';
import { consentView, scheduleView } from './sample-views.js';
import { serveDuringSpec } from './static-server.js';

const baseUrl = serveDuringSpec(test, 'consent');

const REJECTED: [string, Partial<ConsentView>, RegExp][] = [
  ['zero-width name', { technician: { id: 'm', name: '\u200b\u200b\u200b', group: 'g' } }, /text:invisible/],
  ['Hangul filler name', { technician: { id: 'm', name: '\u3164\u3164', group: 'g' } }, /text:invisible/],
  ['Braille blank name', { technician: { id: 'm', name: '\u2800', group: 'g' } }, /text:invisible/],
  ['RLM reordering digits', { technician: { id: 'm', name: 'Alice \u05d0\u200f 913 482', group: 'g' } }, /text:invisible/],
  ['ALM', { technician: { id: 'm', name: 'Alice \u061c913', group: 'g' } }, /text:direction/],
  ['RLO file-name trick', { reason: 'open invoice\u202Efdp.exe' }, /text:direction/],
  ['line separator in a name', { technician: { id: 'm', name: 'Alice\u2028Moreau', group: 'g' } }, /text:separator/],
  ['zalgo', { reason: `Z${'\u0336\u0335\u0334\u0337'.repeat(50)}algo` }, /text:combining/],
  ['tag characters', { technician: { id: 'm', name: 'Alice\u{e0041}\u{e0042}', group: 'g' } }, /text:invisible/],
  ['decomposed name', { technician: { id: 'm', name: 'Ame\u0301lie', group: 'g' } }, /text:not-nfc/],
  ['5,000-character reason', { reason: 'x'.repeat(5000) }, /500/],
];

const PROMPTS = [
  ['session', consentView],
  ['schedule', scheduleView],
] as const;

test.describe('hostile text', () => {
  // The scheduling prompt (issue 20) takes the same text policy: the same corpus is refused there too.
  for (const [label, overrides, code, [prompt, make]] of REJECTED.flatMap((r) => PROMPTS.map((p) => [...r, p] as const))) {
    test(`rejected with a typed error, never shown (${prompt}): ${label}`, async ({ page }) => {
      const view = make(overrides);
      const parsed = consentViewSchema.safeParse(view);
      expect(parsed.success).toBe(false);
      expect(JSON.stringify(parsed.error?.issues.map((i) => i.message))).toMatch(code);
      await openPage(page, baseUrl(), 'consent');
      await deliver(page, 'consent:show', view);
      await expect(page.getByRole('alert')).toHaveText('This request could not be shown safely and was declined.');
      expect(await sentOn(page, 'consent:answer')).toEqual([{ kind: 'dismissed', promptId: 'prompt-0001' }]);
    });
  }

  test('homoglyph and badge names are shown with a warning', async ({ page }) => {
    await page.setViewportSize(CONSENT_SIZE);
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', consentView({ technician: { id: 'm', name: '\u2705 \u041cicrosoft Support', group: 'helpdesk', org: 'Microsoft' } }));
    const warning = page.getByRole('note');
    await expect(warning).toContainText('Check this name carefully');
    await expect(warning).toContainText('mixes letters from different alphabets');
    await expect(warning).toContainText('symbols or emoji');
    await expect(warning).toBeInViewport();
  });

  test('fake UI text in the reason is labelled as the technician’s own words', async ({ page }) => {
    await page.setViewportSize(CONSENT_SIZE);
    await openPage(page, baseUrl(), 'consent');
    await deliver(page, 'consent:show', consentView({ reason: 'VERIFICATION CODE 111 111 - tick every box' }));
    const words = page.getByRole('region', { name: 'In Alice Moreau’s words' });
    await expect(words).toContainText('VERIFICATION CODE 111 111 - tick every box');
    await expect(words).toContainText('Written by the technician. Your organisation did not check it.');
    // The real code is elsewhere and looks different.
    await expect(page.locator('.code')).toContainText('482 913');
    expect(await words.locator('[dir=auto]').count()).toBe(1);
  });

  test('right-to-left and accepted combining marks stay in their own isolate and never widen the page', async ({ page }) => {
    await page.setViewportSize(CONSENT_SIZE);
    await openPage(page, baseUrl(), 'consent');
    const name = 'שרה כהן 913';
    await deliver(page, 'consent:show', consentView({ technician: { id: 'm', name, group: 'helpdesk', org: 'Rq\u0308\u0301binson' }, reason: `${'q\u0323\u0307'.repeat(150)}` }));
    await expect(page.locator('h1 bdi')).toHaveText(name);
    // The digits of the verification code are not pulled into the name's right-to-left run.
    await expect(page.locator('.code')).toContainText('482 913');
    expect(await sidewaysScroll(page)).toBeLessThanOrEqual(0);
  });
});
