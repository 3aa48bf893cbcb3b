// The banner fits the height its page reports, and the consent dialog's
// "N more waiting" follows the queue: both through the real IPC guard.
import { describe, expect, it } from 'vitest';
import { BANNER_MAX_SHARE } from '../../src/main/banner-size.js';
import { BANNER_HEIGHTS } from '../../src/main/window-options.js';
import { bannerView, consentView } from '../renderer/sample-views.js';
import { uiHarness } from './ui-harness.js';

const WORK_AREA_HEIGHT = 1040;

function bannerUp() {
  const t = uiHarness();
  t.ui.showBanner(bannerView());
  const w = t.last('banner')!;
  t.fromPage(w, 'banner:ready');
  return { ...t, w };
}

describe('banner fits its content', () => {
  it('grows to the height the page reports (four scopes wrapped, a long name), same top-left', () => {
    const t = bannerUp();
    expect(t.w.bounds).toEqual({ x: 580, y: 8, width: 760, height: BANNER_HEIGHTS.compact });
    t.fromPage(t.w, 'banner:content-height', 131);
    expect(t.w.bounds).toEqual({ x: 580, y: 8, width: 760, height: 131 });
    expect(t.rejected).toEqual([]);
  });

  it('never shrinks below the default height nor grows past its share of the work area', () => {
    const t = bannerUp();
    t.fromPage(t.w, 'banner:content-height', 40);
    expect(t.w.bounds.height).toBe(BANNER_HEIGHTS.compact);
    t.fromPage(t.w, 'banner:content-height', 3000);
    expect(t.w.bounds.height).toBe(Math.floor(WORK_AREA_HEIGHT * BANNER_MAX_SHARE.compact));
  });

  it('fits the expanded view to what the page reports after the toggle', () => {
    const t = bannerUp();
    t.fromPage(t.w, 'banner:content-height', 131);
    t.fromPage(t.w, 'banner:resize', 'expanded');
    expect(t.w.bounds.height).toBe(BANNER_HEIGHTS.expanded);
    t.fromPage(t.w, 'banner:content-height', 420);
    expect(t.w.bounds.height).toBe(420);
    // Back to the slim bar: the expanded height does not stick.
    t.fromPage(t.w, 'banner:resize', 'compact');
    expect(t.w.bounds.height).toBe(BANNER_HEIGHTS.compact);
  });

  it('keeps the fitted height when the displays change', () => {
    const t = bannerUp();
    t.fromPage(t.w, 'banner:content-height', 131);
    t.ui.displaysChanged();
    expect(t.w.bounds).toEqual({ x: 580, y: 8, width: 760, height: 131 });
  });

  it('ignores a height from any other window', () => {
    const t = bannerUp();
    void t.ui.showConsent(consentView(), new AbortController().signal);
    const consent = t.last('consent')!;
    t.fromPage(t.w, 'banner:content-height', 200, consent);
    expect(t.w.bounds.height).toBe(BANNER_HEIGHTS.compact);
    expect(t.rejected).toEqual(['wrong-sender']);
  });

  it('ignores a height that is not a whole number of pixels in range', () => {
    const t = bannerUp();
    for (const bad of [0, -5, 4001, 120.5, '200', null]) t.fromPage(t.w, 'banner:content-height', bad);
    t.fromPage(t.w, 'banner:content-height');
    expect(t.w.bounds.height).toBe(BANNER_HEIGHTS.compact);
    expect(t.rejected).toHaveLength(7);
    expect(new Set(t.rejected)).toEqual(new Set(['bad-payload']));
  });
});

describe('consent dialog waiting count', () => {
  it('posts the new count to the prompt on screen once its page is ready', () => {
    const t = uiHarness();
    void t.ui.showConsent(consentView(), new AbortController().signal);
    const w = t.last('consent')!;
    t.ui.consentQueued('prompt-0001', 2);
    expect(w.sent.map(([c]) => c)).toEqual([]);
    t.fromPage(w, 'consent:ready');
    t.ui.consentQueued('prompt-0001', 1);
    expect(w.sent.slice(1)).toEqual([
      ['consent:queued', { promptId: 'prompt-0001', queued: 2 }],
      ['consent:queued', { promptId: 'prompt-0001', queued: 1 }],
    ]);
  });

  it('drops a count for a prompt that is not on screen', () => {
    const t = uiHarness();
    t.ui.consentQueued('prompt-0001', 3);
    void t.ui.showConsent(consentView(), new AbortController().signal);
    const w = t.last('consent')!;
    t.fromPage(w, 'consent:ready');
    t.ui.consentQueued('prompt-other', 3);
    expect(w.sent.map(([c]) => c)).toEqual(['consent:show']);
  });
});
